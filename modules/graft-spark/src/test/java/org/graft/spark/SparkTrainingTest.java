package org.graft.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.ImageLoader;
import org.graft.model.GraftHead;
import org.graft.model.ModelBundle;
import org.graft.predict.Prediction;
import org.graft.predict.Predictor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Features computed on the executors are the single-machine features, and DL4J's parameter averaging on Spark
 * trains a head on them that converges (synthetic colour classes: easy for a linear head).
 */
class SparkTrainingTest {

    @Test
    void featuresMatchTheSingleMachineExtractor() throws Exception {
        Path run = SparkFixtures.run();
        Path data = SparkFixtures.data();
        List<Row> rows = SparkPredict.features(SparkFixtures.spark(), run.toString(), data.toString(), 2, 8, null,
                null).collectAsList();
        assertEquals(45, rows.size());
        ModelBundle bundle = ModelBundle.load(run);
        ComputationGraph extractor = GraftHead.cut(bundle.graph(), FeatureGraphs.headInput(bundle.graph()));
        ImageLoader loader = new ImageLoader(bundle.description().preprocessing());
        for (Row row : rows.subList(0, 5)) {
            Path image = data.resolve(row.getString(0));
            INDArray x = Nd4j.create(loader.load(image), bundle.description().preprocessing().shape(1), 'c');
            float[] want = extractor.outputSingle(false, x).ravel().toFloatVector();
            List<Float> got = row.getList(1);
            float[] gotArray = new float[got.size()];
            for (int i = 0; i < gotArray.length; i++) {
                gotArray[i] = got.get(i);
            }
            assertArrayEquals(want, gotArray, 1e-5f, row.getString(0));
        }
    }

    @Test
    void parameterAveragingTrainsTheHeadToConvergence() throws Exception {
        Dataset<Row> features = SparkPredict.features(SparkFixtures.spark(), SparkFixtures.run().toString(),
                SparkFixtures.data().toString(), 2, 8, null, null);
        SparkHeadTrainer.LabelledFeatures labelled = SparkHeadTrainer.labelled(features);
        assertEquals(SparkFixtures.CLASSES, labelled.labels());
        List<SparkHeadTrainer.Epoch> seen = new ArrayList<>();
        SparkHeadTrainer.Result result = new SparkHeadTrainer().epochs(6).batchSizePerWorker(4).averagingFrequency(1)
                .learningRate(0.01).seed(7)
                .fit(JavaSparkContext.fromSparkContext(SparkFixtures.spark().sparkContext()), labelled.examples(),
                        labelled.labels(), seen::add);
        assertEquals(45, result.examples());
        assertEquals(7, result.history().size(), "the start and 6 epochs");
        assertEquals(result.history(), seen);
        double first = result.history().get(0).loss();
        double last = result.history().get(6).loss();
        assertEquals(Math.log(3), first, 1e-3, "zero weights: uniform probabilities over 3 classes");
        System.out.println("parameter averaging on local[2], loss per epoch: " + result.history().stream()
                .map(e -> String.format(java.util.Locale.ROOT, "%.3f", e.loss())).toList()
                + ", training accuracy " + result.trainAccuracy());
        assertTrue(last < 0.25 * first, "loss " + result.history());
        assertTrue(result.trainAccuracy() >= 0.95, "accuracy " + result.trainAccuracy());
    }

    @Test
    void trainHeadWritesAModelThatGraftPredictReads() throws Exception {
        Path out = SparkFixtures.root().resolve("spark-head/model.zip");
        SparkFixtures.spark();
        assertEquals(0, SparkTrainHead.run("--model", SparkFixtures.run().toString(), "--data",
                SparkFixtures.data().toUri().toString(), "--out", out.toString(), "--epochs", "6", "--batch", "4",
                "--lr", "0.01", "--averaging", "1"));
        ModelBundle trained = ModelBundle.load(out);
        assertEquals(SparkFixtures.CLASSES, trained.description().labels());
        assertEquals("spark-parameter-averaging", trained.description().training().recipe().get("trainer"));
        // the backbone is unchanged; the head is new and classifies the colours
        ModelBundle base = ModelBundle.load(SparkFixtures.run());
        assertEquals(base.graph().getLayer("conv1").params(), trained.graph().getLayer("conv1").params());
        List<Path> images = List.of(SparkFixtures.data().resolve("red/img_003.png"),
                SparkFixtures.data().resolve("blue/img_004.png"), SparkFixtures.data().resolve("green/img_005.png"));
        List<Prediction> predictions = new Predictor(trained, 4).predict(images, 1, n -> { });
        assertEquals(List.of("red", "blue", "green"), predictions.stream().map(Prediction::label).toList());
    }
}
