package org.graft.spark;

import org.apache.spark.sql.SparkSession;
import org.graft.data.TestImages;
import org.graft.model.TinyRuns;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the Spark tests share, made once per JVM: a local[2] Spark session (loopback only, no UI), synthetic colour
 * classes and a run folder of the shared colour classifier ({@link TinyRuns}).
 */
final class SparkFixtures {
    static final List<String> CLASSES = List.of("blue", "green", "red");
    private static SparkSession spark;
    private static Path root;
    private static Path data;
    private static Path run;

    private SparkFixtures() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("graft-spark-test")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
        }
        return spark;
    }

    static synchronized Path root() {
        if (root == null) {
            try {
                root = Files.createTempDirectory("graft-spark-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
        }
        return root;
    }

    /** 15 images per class, 40 px, one folder per class. */
    static synchronized Path data() {
        if (data == null) {
            data = TestImages.colourClasses(root().resolve("data"), CLASSES,
                    List.of(Color.BLUE, Color.GREEN, Color.RED), 15, 40, 1);
        }
        return data;
    }

    /** A run folder of the colour classifier, as graft train leaves one. */
    static synchronized Path run() throws Exception {
        if (run == null) {
            Path dir = root().resolve("run");
            TinyRuns.write(dir, data());
            run = dir;
        }
        return run;
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary files
        }
    }
}
