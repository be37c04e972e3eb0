package org.graft.data;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads batches of images one batch ahead on a background thread, so that decoding and resizing the next batch
 * overlaps the model's work on this one. Iterate it in order and close it when done.
 */
public final class PrefetchingLoader implements Iterator<ImageLoader.Batch>, AutoCloseable {
    private final ImageLoader loader;
    private final List<List<Path>> batches;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "graft-image-prefetch");
        t.setDaemon(true);
        return t;
    });
    private int next;
    private Future<ImageLoader.Batch> pending;

    public PrefetchingLoader(ImageLoader loader, List<List<Path>> batches) {
        this.loader = loader;
        this.batches = batches;
        schedule();
    }

    private void schedule() {
        if (next < batches.size()) {
            List<Path> paths = batches.get(next++);
            pending = background.submit(() -> loader.loadBatch(paths));
        } else {
            pending = null;
        }
    }

    @Override
    public boolean hasNext() {
        return pending != null;
    }

    @Override
    public ImageLoader.Batch next() {
        if (pending == null) {
            throw new NoSuchElementException();
        }
        try {
            ImageLoader.Batch batch = pending.get();
            schedule();
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
