package org.graft.spark;

import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.BadOptionException;
import org.graft.common.CliErrors;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Retrains a model's head on a labelled archive too large for one machine: the executors compute each image's
 * features with the model's (frozen) backbone, then DL4J's parameter averaging trains a new head on them, and the
 * backbone with the new head is written as a Graft model.zip (usable by {@code graft predict} and SparkPredict).
 */
@Command(name = "graft-spark-train-head", mixinStandardHelpOptions = true, version = "graft-spark 0.1.0",
        description = "Train a new head on the features of a labelled archive (one sub-folder per class) on Spark.",
        footer = {"", "Example:",
                "  spark-submit --class org.graft.spark.SparkTrainHead ... graft-spark.jar \\",
                "      --model hdfs:///models/pages.zip --data hdfs:///archive/labelled --out hdfs:///models/pages-v2.zip"})
public final class SparkTrainHead implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN|model.zip",
            description = "A Graft model whose backbone computes the features (its head is replaced).")
    String model;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "A folder with one sub-folder of images per class, on any Hadoop filesystem.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "model.zip", description = "Where the new model goes.")
    String out;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Minibatch per worker (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--averaging", defaultValue = "5",
            description = "Minibatches per worker between parameter averagings (default: ${DEFAULT-VALUE}).")
    int averaging;

    @Option(names = "--partitions", defaultValue = "0", description = "Tasks for the feature pass.")
    int partitions;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--master", description = "Spark master when not started by spark-submit (default: local[*]).")
    String master;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        SparkTrainHead command = new SparkTrainHead();
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> CliErrors.report(e, command.debug, cmd.getErr()));
        return cli.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        SparkSession spark = SparkPredict.session(master, "graft-spark train-head");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        long start = System.nanoTime();
        ModelBundle bundle = ModelFiles.load(ModelFiles.read(model, sc.hadoopConfiguration()));
        var features = SparkPredict.features(spark, model, data, partitions, batch, null, null);
        var labelled = SparkHeadTrainer.labelled(features);
        SparkHeadTrainer trainer = new SparkHeadTrainer().epochs(epochs).batchSizePerWorker(batch)
                .averagingFrequency(averaging).learningRate(learningRate).seed(seed)
                .dropout(bundle.description().training() == null ? 0.2 : bundle.description().training().dropout());
        SparkHeadTrainer.Result result;
        try {
            result = trainer.fit(sc, labelled.examples(), labelled.labels(),
                    e -> System.out.printf(Locale.ROOT, "epoch %d: loss %.4f%n", e.epoch(), e.loss()));
        } finally {
            labelled.release();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("batchSizePerWorker", batch);
        settings.put("averagingFrequency", averaging);
        settings.put("learningRate", learningRate);
        settings.put("seed", seed);
        settings.put("workers", sc.defaultParallelism());
        ModelBundle trained = withHead(bundle, result, data, seconds, settings, spark.version());
        save(trained, out, sc);
        System.out.printf(Locale.ROOT, "trained on %d images, %d classes: training accuracy %.3f, loss %.4f -> %.4f,"
                        + " %.1f s -> %s%n", result.examples(), result.labels().size(), result.trainAccuracy(),
                result.history().get(0).loss(), result.history().get(result.history().size() - 1).loss(), seconds,
                out);
        return 0;
    }

    /** The bundle's backbone with the trained head, and a description that says how it was made. */
    static ModelBundle withHead(ModelBundle bundle, SparkHeadTrainer.Result result, String data, double seconds,
                                Map<String, Object> settings, String sparkVersion) {
        ComputationGraph graph = FeatureGraphs.withHead(bundle.graph(), result.head());
        ModelDescription d = bundle.description();
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("trainer", "spark-parameter-averaging");
        recipe.putAll(settings);
        recipe.put("loss", result.history().stream().map(SparkHeadTrainer.Epoch::loss).toList());
        recipe.put("trainAccuracy", result.trainAccuracy());
        recipe.put("baseModel", d.backbone() == null ? null : d.backbone().name());
        ModelDescription.TrainingInfo t = d.training();
        ModelDescription.TrainingInfo training = new ModelDescription.TrainingInfo("transfer",
                result.history().size() - 1, result.history().size() - 1,
                ((Number) settings.getOrDefault("batchSizePerWorker", 0)).intValue(),
                ((Number) settings.getOrDefault("learningRate", 0.0)).doubleValue(), "Adam",
                ((Number) settings.getOrDefault("seed", 0L)).longValue(), t == null ? 0.2 : t.dropout(),
                seconds, recipe,
                Map.of("features", "dl4j (Spark partitions)", "training", "dl4j (Spark ParameterAveraging)"));
        ModelDescription.DataInfo dataInfo = new ModelDescription.DataInfo(data, null, null, 0,
                (int) result.examples(), 0, 0, Map.of(), "none");
        Map<String, String> versions = new LinkedHashMap<>(d.versions() == null ? Map.of() : d.versions());
        versions.put("spark", sparkVersion);
        versions.put("dl4j-spark", "1.0.0-M2");
        return new ModelBundle(graph, new ModelDescription(d.formatVersion(), List.copyOf(result.labels()),
                d.preprocessing(), d.backbone(), training, dataInfo, Map.of(), versions, Instant.now().toString()));
    }

    /** Writes the bundle locally, then copies it to {@code out} on its Hadoop filesystem. */
    static void save(ModelBundle bundle, String out, JavaSparkContext sc) throws IOException {
        Path dir = Files.createTempDirectory("graft-spark-model-");
        Path local = dir.resolve(ModelBundle.FILE_NAME);
        try {
            bundle.save(local);
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(out);
            FileSystem fs = target.getFileSystem(sc.hadoopConfiguration());
            if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
                throw new BadOptionException(out + " is a folder.", "Give the new model's file name, e.g. "
                        + out + "/model.zip.");
            }
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
        } finally {
            Files.deleteIfExists(local);
            Files.deleteIfExists(dir);
        }
    }
}
