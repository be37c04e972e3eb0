package org.graft.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;
import org.graft.model.ModelBundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves a model bundle from the driver to the executors. The driver reads {@code model.zip} (or a run folder's) from
 * any Hadoop path and broadcasts its bytes; each executor JVM writes them once to a local file, from which every
 * partition loads its own copy of the network ({@link ModelBundle#load} wants a local file, and a DL4J graph is not
 * safe for two tasks at once).
 */
public final class ModelFiles {
    /** Per executor JVM, shared by its tasks: Spark offers no other place to keep a file between partitions. */
    private static final Map<String, Path> LOCAL = new ConcurrentHashMap<>();

    private ModelFiles() {
    }

    /** The bytes of a bundle: a run folder (its model.zip) or a zip, on any Hadoop filesystem (local, HDFS, S3). */
    public static byte[] read(String runOrZip, Configuration conf) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(runOrZip);
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                throw new BadOptionException("No model at " + runOrZip,
                        "Give a run folder made by 'graft train' (e.g. runs/demo) or its model.zip.");
            }
            if (fs.getFileStatus(path).isDirectory()) {
                path = new org.apache.hadoop.fs.Path(path, ModelBundle.FILE_NAME);
                if (!fs.exists(path)) {
                    throw new BadOptionException("No model at " + runOrZip + " (the folder has no "
                            + ModelBundle.FILE_NAME + ")", "Give a run folder made by 'graft train' or its model.zip.");
                }
            }
            try (InputStream in = fs.open(path)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new EnvironmentException("Could not read the model " + runOrZip + ": " + e.getMessage(), null, e);
        }
    }

    /** A local file holding {@code bytes}, written once per JVM (keyed by content). */
    public static Path localCopy(byte[] bytes) {
        return LOCAL.computeIfAbsent(sha256(bytes), key -> {
            try {
                Path file = Files.createTempFile("graft-model-" + key.substring(0, 12) + "-", ".zip");
                Files.write(file, bytes);
                file.toFile().deleteOnExit();
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Loads a fresh copy of the bundle (graph and description) from its bytes. */
    public static ModelBundle load(byte[] bytes) {
        return ModelBundle.load(localCopy(bytes));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
