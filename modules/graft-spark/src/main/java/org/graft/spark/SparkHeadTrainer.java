package org.graft.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.graft.common.BadDataException;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * Trains Graft's head (dropout, softmax layer) on feature vectors spread over a Spark cluster, with DL4J's
 * synchronous parameter averaging ({@link ParameterAveragingTrainingMaster}): each worker fits
 * {@code averagingFrequency} minibatches of {@code batchSizePerWorker} examples on its share of the data, then the
 * parameters and the Adam state are averaged on the driver. The head is one linear layer on fixed features (a
 * convex problem), which is what makes plain averaging converge as well as a single machine does.
 */
public final class SparkHeadTrainer {
    /** The loss (mean cross-entropy over all examples, without dropout) after each epoch; epoch 0 is the start. */
    public record Epoch(int epoch, double loss) {
    }

    /** A trained head, its class order, the loss per epoch and the accuracy on the training features. */
    public record Result(ComputationGraph head, List<String> labels, List<Epoch> history, double trainAccuracy,
                         long examples) {
    }

    private int epochs = 10;
    private int batchSizePerWorker = 32;
    private int averagingFrequency = 5;
    private double learningRate = 0.001;
    private double dropout = 0.2;
    private long seed = 42;

    public SparkHeadTrainer epochs(int n) {
        this.epochs = Math.max(1, n);
        return this;
    }

    public SparkHeadTrainer batchSizePerWorker(int n) {
        this.batchSizePerWorker = Math.max(1, n);
        return this;
    }

    /** Minibatches each worker fits between two averagings. */
    public SparkHeadTrainer averagingFrequency(int n) {
        this.averagingFrequency = Math.max(1, n);
        return this;
    }

    public SparkHeadTrainer learningRate(double lr) {
        this.learningRate = lr;
        return this;
    }

    /** Probability of dropping a feature while training (Graft's default 0.2). */
    public SparkHeadTrainer dropout(double p) {
        this.dropout = p;
        return this;
    }

    public SparkHeadTrainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * One example per readable row of {@code features} ({@code path, features, error}, as
     * {@link SparkPredict#features} makes), labelled by the first folder of its path: a labelled collection has
     * one sub-folder per class, as for {@code graft train}. Returns the class names (sorted) and the examples.
     */
    public static LabelledFeatures labelled(Dataset<Row> features) {
        // (class folder, vector), computed once: the feature pass is the expensive part, and both the class list and
        // the examples come from it
        JavaPairRDD<String, float[]> byFolder = features.where(col("error").isNull().and(col("features").isNotNull()))
                .toJavaRDD()
                .mapToPair(row -> new Tuple2<>(ImageSource.topFolder(row.getString(0)), floats(row.getList(1))))
                .filter(t -> !t._1().isEmpty())
                .persist(StorageLevel.MEMORY_AND_DISK());
        List<String> labels = new ArrayList<>(byFolder.keys().distinct().collect());
        labels.sort(null);
        if (labels.size() < 2) {
            byFolder.unpersist(false);
            throw new BadDataException("Found " + labels.size() + " class folder(s); a classifier needs at least two.",
                    "Point --data at a folder with one sub-folder of images per class.");
        }
        List<String> classes = List.copyOf(labels);
        JavaRDD<DataSet> examples = byFolder.map(t -> example(t._2(), classes.indexOf(t._1()), classes.size()));
        return new LabelledFeatures(classes, examples, byFolder);
    }

    /** Examples and their class names; {@link #release()} frees the cached feature vectors after training. */
    public record LabelledFeatures(List<String> labels, JavaRDD<DataSet> examples,
                                   JavaPairRDD<String, float[]> cached) {
        public void release() {
            cached.unpersist(false);
        }
    }

    static float[] floats(List<Float> values) {
        float[] x = new float[values.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = values.get(i);
        }
        return x;
    }

    static DataSet example(float[] x, int label, int classes) {
        float[] y = new float[classes];
        y[label] = 1f;
        return new DataSet(Nd4j.create(x, 1, x.length), Nd4j.create(y, 1, classes));
    }

    /**
     * The examples in a seeded random order. A folder listing is sorted by class, and parameter averaging fits each
     * worker's share in order: without this, a worker sees one class for many steps and the head does not converge.
     */
    static JavaRDD<DataSet> shuffled(JavaRDD<DataSet> data, long seed, int partitions) {
        return data.mapPartitionsWithIndex((index, examples) -> {
            Random random = new Random(seed * 1_000_003L + index);
            List<Tuple2<Long, DataSet>> keyed = new ArrayList<>();
            examples.forEachRemaining(ds -> keyed.add(new Tuple2<>(random.nextLong(), ds)));
            return keyed.iterator();
        }, false).mapToPair(t -> t).sortByKey(true, partitions).values();
    }

    /** Trains a new head on {@code data} (examples with one-hot labels in {@code labels}' order). */
    public Result fit(JavaSparkContext sc, JavaRDD<DataSet> data, List<String> labels, Consumer<Epoch> progress) {
        JavaRDD<DataSet> cached = shuffled(data, seed, Math.max(data.getNumPartitions(), sc.defaultParallelism()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long examples = cached.count();
            if (examples == 0) {
                throw new BadDataException("No readable images to train on.", "Check the --data folder.");
            }
            long nIn = cached.first().getFeatures().size(1);
            ComputationGraph head = FeatureGraphs.head(nIn, labels.size(), dropout, learningRate, seed);
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(1)
                    .batchSizePerWorker(batchSizePerWorker)
                    .averagingFrequency(averagingFrequency)
                    .workerPrefetchNumBatches(0)
                    .saveUpdater(true)
                    // the examples are already in memory (cached): no export to files first
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .rngSeed(seed)
                    .build();
            SparkComputationGraph spark = new SparkComputationGraph(sc, head, master);
            List<Epoch> history = new ArrayList<>();
            Epoch start = new Epoch(0, spark.calculateScore(cached, true));
            history.add(start);
            progress.accept(start);
            for (int e = 1; e <= epochs; e++) {
                spark.fit(cached);
                Epoch epoch = new Epoch(e, spark.calculateScore(cached, true));
                history.add(epoch);
                progress.accept(epoch);
            }
            Evaluation evaluation = spark.evaluate(cached, labels);
            return new Result(spark.getNetwork(), labels, history, evaluation.accuracy(), examples);
        } finally {
            cached.unpersist(false);
        }
    }
}
