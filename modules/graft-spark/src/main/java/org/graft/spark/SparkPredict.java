package org.graft.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.graft.common.BadOptionException;
import org.graft.common.CliErrors;
import org.graft.common.DamagedFileException;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * {@code graft predict} for a whole archive, on Spark: every image under a Hadoop path (local, HDFS, S3) is
 * classified on the executors and the rows are written as partitioned CSV (PredictionWriter's columns) or Parquet.
 * With {@code --mode features}, the feature vectors the head reads are written instead.
 *
 * <p>Run it with spark-submit on a cluster, or with {@code make spark-predict} on this machine (local[*]); see the
 * README, "Spark: whole archives".
 */
@Command(name = "graft-spark-predict", mixinStandardHelpOptions = true, version = "graft-spark 0.1.0",
        description = "Classify (or featurize) every image under a Hadoop path on Spark; write partitioned CSV or Parquet.",
        footer = {"", "Examples:",
                "  make spark-predict RUN=runs/mine INPUT=scans OUT=target/scans-predictions",
                "  spark-submit --class org.graft.spark.SparkPredict ... graft-spark.jar \\",
                "      --model hdfs:///models/pages.zip --input hdfs:///archive/scans --out hdfs:///out/pages --partitions 2000",
                "Unreadable images become rows with the reason in 'error'; the job does not stop for them."})
public final class SparkPredict implements Callable<Integer> {
    /** What the job writes. */
    public enum Mode { PREDICT, FEATURES }

    /** Output formats. */
    public enum Format { CSV, PARQUET }

    @Option(names = "--model", required = true, paramLabel = "RUN|model.zip",
            description = "A run folder or its model.zip, on any Hadoop filesystem.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "An image or a folder of images (sub-folders included): /local, file://, hdfs://, s3a://.")
    String input;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "Output folder (one file per partition); it must not exist unless --overwrite.")
    String out;

    @Option(names = "--format", defaultValue = "csv", description = "csv or parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--mode", defaultValue = "predict",
            description = "predict (labels and probabilities) or features (the vectors the head reads).")
    String mode;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Number of tasks (default: as Spark splits the listing). A few per executor core.")
    int partitions;

    @Option(names = "--batch", defaultValue = "8",
            description = "Images per forward pass; 8-16 is fastest on a CPU, as for graft predict (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--top-k", defaultValue = "3", description = "Classes per row (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--review-below", defaultValue = "0.5",
            description = "needs_review when the best probability is below this (default: ${DEFAULT-VALUE}).")
    double reviewBelow;

    @Option(names = "--master", description = "Spark master when not started by spark-submit (default: local[*]).")
    String master;

    @Option(names = "--overwrite", description = "Replace an existing output folder.")
    boolean overwrite;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    /** What a run did. */
    public record Summary(long images, long errors, double seconds, String out, int partitions) {
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : Double.NaN;
        }
    }

    private Summary summary;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command; 0 success, 1 unexpected failure, 2 a problem the user can fix. */
    public static int run(String... args) {
        SparkPredict command = new SparkPredict();
        CommandLine cli = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> CliErrors.report(e, command.debug, cmd.getErr()));
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        SparkSession spark = session(master, "graft-spark " + mode);
        summary = run(spark);
        System.out.printf(Locale.ROOT, "%s: %d images (%d unreadable) in %.1f s, %.1f images/s, %d partitions on %s"
                        + " -> %s%n", mode, summary.images(), summary.errors(), summary.seconds(),
                summary.imagesPerSecond(), summary.partitions(), spark.sparkContext().master(), summary.out());
        return 0;
    }

    /** The run's figures, after {@link #call()}. */
    public Summary summary() {
        return summary;
    }

    /** Runs the job on an existing session and writes its output. */
    public Summary run(SparkSession spark) {
        Mode m = parse(Mode.class, mode, "--mode", "predict or features");
        Format f = parse(Format.class, format, "--format", "csv or parquet");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        LongAccumulator images = sc.sc().longAccumulator("images");
        LongAccumulator errors = sc.sc().longAccumulator("unreadable images");
        long start = System.nanoTime();
        Dataset<Row> rows = m == Mode.PREDICT
                ? predictions(spark, model, input, partitions, batch, topK, reviewBelow, images, errors)
                : features(spark, model, input, partitions, batch, images, errors);
        if (f == Format.CSV) {
            rows = m == Mode.PREDICT ? PredictionSchema.forCsv(rows) : featuresForCsv(rows, featureSize(spark, model));
        }
        DataFrameWriter<Row> writer = rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
        try {
            if (f == Format.CSV) {
                // RFC 4180 quoting as commons-csv writes it, empty fields empty (not ""), and spaces at the ends of
                // file names kept
                writer.option("header", true).option("escape", "\"").option("emptyValue", "")
                        .option("ignoreLeadingWhiteSpace", false).option("ignoreTrailingWhiteSpace", false).csv(out);
            } else {
                writer.parquet(out);
            }
        } catch (Exception e) {
            if (e instanceof AnalysisException && e.getMessage() != null && e.getMessage().contains("already exists")) {
                throw new BadOptionException("The output " + out + " already exists.",
                        "Choose another --out, or add --overwrite to replace it.");
            }
            throw e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Summary(images.value(), errors.value(), seconds, out, rows.rdd().getNumPartitions());
    }

    /**
     * Predictions for every image under {@code input} (lazy: nothing runs until the rows are used), in
     * {@link PredictionSchema}'s columns. Accumulators may be null.
     */
    public static Dataset<Row> predictions(SparkSession spark, String model, String input, int partitions, int batch,
                                           int topK, double reviewBelow, LongAccumulator images,
                                           LongAccumulator errors) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        byte[] bytes = ModelFiles.read(model, sc.hadoopConfiguration());
        ModelDescription description = checkModel(bytes, model);
        if (topK < 1) {
            throw new BadOptionException("--top-k must be at least 1 (got " + topK + ").", null);
        }
        if (description.labels().isEmpty()) {
            throw new DamagedFileException(model + " has no labels.", "Use a model.zip written by 'graft train'.");
        }
        // as graft predict: no more class columns than the model has classes
        int k = Math.min(topK, description.labels().size());
        ImageSource source = ImageSource.of(input, sc.hadoopConfiguration());
        Broadcast<byte[]> shared = sc.broadcast(bytes);
        JavaRDD<Row> rows = source.images(sc, partitions).mapPartitions(new PredictPartition(shared, conf(sc), source,
                Math.max(1, batch), k, reviewBelow, orNew(sc, images), orNew(sc, errors)));
        return spark.createDataFrame(rows, PredictionSchema.schema(k));
    }

    /** Feature vectors for every image under {@code input}: {@code path, features, error} (lazy). */
    public static Dataset<Row> features(SparkSession spark, String model, String input, int partitions, int batch,
                                        LongAccumulator images, LongAccumulator errors) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        byte[] bytes = ModelFiles.read(model, sc.hadoopConfiguration());
        checkModel(bytes, model);
        ImageSource source = ImageSource.of(input, sc.hadoopConfiguration());
        Broadcast<byte[]> shared = sc.broadcast(bytes);
        JavaRDD<Row> rows = source.images(sc, partitions).mapPartitions(new FeaturesPartition(shared, conf(sc), source,
                Math.max(1, batch), orNew(sc, images), orNew(sc, errors)));
        return spark.createDataFrame(rows, FeaturesPartition.schema());
    }

    /** CSV cannot hold arrays: {@code path, f_0 ... f_{n-1}, error}. */
    static Dataset<Row> featuresForCsv(Dataset<Row> features, long size) {
        List<Column> columns = new ArrayList<>();
        columns.add(col("path"));
        for (int i = 0; i < size; i++) {
            columns.add(col("features").getItem(i).as("f_" + i));
        }
        columns.add(col("error"));
        return features.select(columns.toArray(Column[]::new));
    }

    private static long featureSize(SparkSession spark, String model) {
        byte[] bytes = ModelFiles.read(model, spark.sparkContext().hadoopConfiguration());
        return FeatureGraphs.featureSize(ModelFiles.load(bytes).graph());
    }

    /** Loads the model once on the driver: a damaged or foreign file fails here, before any cluster work. */
    private static ModelDescription checkModel(byte[] bytes, String name) {
        ModelBundle bundle = ModelFiles.load(bytes);
        FeatureGraphs.headInput(bundle.graph());
        return bundle.description();
    }

    /** The driver's Hadoop configuration (credentials, S3 endpoints...), sent once to every executor. */
    private static Broadcast<SerializableWritable<Configuration>> conf(JavaSparkContext sc) {
        return sc.broadcast(new SerializableWritable<>(sc.hadoopConfiguration()));
    }

    private static LongAccumulator orNew(JavaSparkContext sc, LongAccumulator a) {
        return a != null ? a : sc.sc().longAccumulator();
    }

    /**
     * The session spark-submit configured, or a local one ({@code master}, default local[*]) bound to the loopback
     * address when the program was started with plain {@code java}.
     */
    public static SparkSession session(String master, String appName) {
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        conf.setIfMissing("spark.app.name", appName);
        return SparkSession.builder().config(conf).getOrCreate();
    }

    static <E extends Enum<E>> E parse(Class<E> type, String value, String option, String allowed) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadOptionException(option + " " + value + " is not known.", "Use " + allowed + ".");
        }
    }

}
