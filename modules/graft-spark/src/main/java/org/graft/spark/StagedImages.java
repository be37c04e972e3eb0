package org.graft.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

import java.util.ArrayList;
import java.util.Collections;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One partition's images, a chunk at a time, as local files. Graft's {@code ImageLoader} reads images from a
 * {@link Path} (it has no method for bytes, and graft-data is not changed for Spark), so each image's bytes are
 * written to a file in a private temporary folder, decoded from there, and deleted with the chunk. The cost is a
 * write to the page cache per image, small next to decoding it (docs/Scale.md).
 */
final class StagedImages implements AutoCloseable {
    /** An image of the partition: its full path, and the local copy, or why its bytes could not be read. */
    record Staged(String path, Path local, String error) {
    }

    private final Iterator<String> source;
    private final Configuration conf;
    private final int chunkSize;
    private final Path dir;
    private List<Staged> current = List.of();
    private int counter;

    StagedImages(Iterator<String> source, Configuration conf, int chunkSize) {
        this.source = source;
        this.conf = conf;
        this.chunkSize = Math.max(1, chunkSize);
        try {
            this.dir = Files.createTempDirectory("graft-spark-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean hasNext() {
        return source.hasNext();
    }

    /** The next chunk; the files of the previous one are deleted first. */
    List<Staged> next() {
        deleteCurrent();
        List<Staged> chunk = new ArrayList<>(chunkSize);
        while (chunk.size() < chunkSize && source.hasNext()) {
            chunk.add(stage(source.next()));
        }
        current = chunk;
        return chunk;
    }

    private Staged stage(String path) {
        byte[] bytes;
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path);
        try {
            FileSystem fs = file.getFileSystem(conf);
            try (FSDataInputStream in = fs.open(file)) {
                bytes = in.readAllBytes();
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            return new Staged(path, null, "cannot read the file: " + e.getMessage());
        }
        Path local = dir.resolve((counter++) + extension(path));
        try {
            Files.write(local, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + path + " in " + dir, e);
        }
        return new Staged(path, local, null);
    }

    private static String extension(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot).toLowerCase(Locale.ROOT);
    }

    /** {@code message} with the local copy's name replaced by the image's own. */
    static String withOriginalName(String message, Staged staged) {
        return message == null || staged.local() == null ? message
                : message.replace(staged.local().toString(), staged.path());
    }

    private void deleteCurrent() {
        for (Staged s : current) {
            if (s.local() != null) {
                try {
                    Files.deleteIfExists(s.local());
                } catch (IOException e) {
                    // the folder goes at close
                }
            }
        }
        current = List.of();
    }

    /**
     * The rows of the whole partition, made a chunk at a time by {@code rowsOf} as Spark asks for them; the staged
     * files are removed when the task completes (or, outside a Spark task, after the last row).
     */
    <R> Iterator<R> rows(Function<List<Staged>, List<R>> rowsOf) {
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) ctx -> close());
        }
        return new Iterator<>() {
            private Iterator<R> rows = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!rows.hasNext() && StagedImages.this.hasNext()) {
                    rows = rowsOf.apply(StagedImages.this.next()).iterator();
                }
                if (!rows.hasNext() && task == null) {
                    close();
                }
                return rows.hasNext();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return rows.next();
            }
        };
    }

    @Override
    public void close() {
        deleteCurrent();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary folder
        }
    }
}
