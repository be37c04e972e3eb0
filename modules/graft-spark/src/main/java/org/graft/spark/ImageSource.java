package org.graft.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;
import org.graft.data.ImageFormats;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The images under a path on any Hadoop filesystem ({@code file://}, {@code hdfs://}, {@code s3a://}, ...). The
 * driver lists the names (Hadoop's {@code FileSystem.listFiles}, recursive: sub-folders are included, as for
 * {@code graft predict}), sorts them and deals them into exactly the partitions asked for; executors read the bytes.
 * Names that are not images (.txt, Thumbs.db, hidden files) are left out.
 *
 * <p>Not Spark's {@code binaryFiles}: each of its records carries a serialised copy of the whole Hadoop
 * configuration (written once per file), and it sizes partitions by bytes plus a 4 MB "open cost" per file, so the
 * number of tasks (and of model loads) follows the file sizes instead of {@code --partitions}; repartitioning its
 * records would shuffle those configurations. A list of names costs the driver about 100 bytes an image (1 GB for
 * ten million), as binaryFiles' listing does.
 */
public final class ImageSource implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Images per partition when --partitions is not given. */
    static final int DEFAULT_PER_PARTITION = 1000;

    private final String root;
    private final boolean singleFile;

    private ImageSource(String root, boolean singleFile) {
        this.root = root;
        this.singleFile = singleFile;
    }

    /** Checks the path on the driver; the root is kept fully qualified, so relative paths can be written. */
    public static ImageSource of(String input, Configuration conf) {
        Path path = new Path(input);
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                throw new BadOptionException("Input " + input + " does not exist.",
                        "Give an image file or a folder of images (any Hadoop path: /local, file://, hdfs://, s3a://).");
            }
            Path qualified = fs.makeQualified(path);
            return new ImageSource(qualified.toString(), fs.getFileStatus(qualified).isFile());
        } catch (IOException e) {
            throw new EnvironmentException("Cannot read " + input + ": " + e.getMessage(), null, e);
        }
    }

    /** Every image's full path, sorted (the listing runs on the driver). */
    public List<String> list(Configuration conf) {
        Path path = new Path(root);
        List<String> images = new ArrayList<>();
        try {
            FileSystem fs = path.getFileSystem(conf);
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(path, true);
            while (files.hasNext()) {
                String name = files.next().getPath().toString();
                if (isImageName(name)) {
                    images.add(name);
                }
            }
        } catch (IOException e) {
            throw new EnvironmentException("Cannot list " + root + ": " + e.getMessage(), null, e);
        }
        if (images.isEmpty()) {
            throw new BadDataException("No images (" + String.join(", ", ImageFormats.EXTENSIONS) + ") in " + root,
                    "Point --input at a folder of images or at one image.");
        }
        Collections.sort(images);
        return images;
    }

    /** Every image's full path in {@code partitions} partitions (0: one per ~1000 images, at least one per core). */
    public JavaRDD<String> images(JavaSparkContext sc, int partitions) {
        List<String> images = list(sc.hadoopConfiguration());
        int n = partitions > 0 ? partitions
                : Math.max(sc.defaultParallelism(), (images.size() + DEFAULT_PER_PARTITION - 1) / DEFAULT_PER_PARTITION);
        return sc.parallelize(images, Math.max(1, Math.min(n, images.size())));
    }

    /** The path as the CSV shows it: relative to the input folder (its sub-folders mirrored), as PredictionWriter. */
    public String relative(String fullPath) {
        String path = decode(fullPath);
        String base = decode(root);
        if (singleFile) {
            int slash = path.lastIndexOf('/');
            return slash < 0 ? path : path.substring(slash + 1);
        }
        String prefix = base.endsWith("/") ? base : base + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }

    /** The first folder of a relative path (the class folder of a labelled collection); "" at the top. */
    public static String topFolder(String relative) {
        int slash = relative.indexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }

    static boolean isImageName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty() || name.startsWith(".")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && ImageFormats.EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String decode(String pathString) {
        // Hadoop paths print decoded ("a b/파랑.jpg"); the URI's path is the same string, scheme and host removed
        return new Path(pathString).toUri().getPath();
    }

    public String root() {
        return root;
    }
}
