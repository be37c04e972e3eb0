package org.graft.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.ImageLoader;
import org.graft.data.PrefetchingLoader;
import org.graft.data.UnreadableImageException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Images to feature vectors through a frozen graph (a classifier cut where its head begins), a batch at a time
 * with the next batch decoded in the background, in DL4J or ONNX Runtime, reusing a {@link FeatureCache} where one
 * is given. Transfer-mode training featurizes its images once with it; Spark's feature partitions and
 * {@code graft bench} use it too.
 */
public final class Featurizer implements AutoCloseable {
    private final InferenceEngine engine;
    private final ImageLoader loader;
    private final int batchSize;
    private final FeatureCache cache;

    /**
     * @param extractor the frozen graph, images in, one feature vector (or map, flattened) per image out
     * @param cache     where to find and keep features between runs; null for none
     */
    public Featurizer(Engine kind, ComputationGraph extractor, ImageLoader loader, int batchSize, FeatureCache cache) {
        this.engine = InferenceEngine.create(kind, extractor, loader.preprocessing());
        this.loader = loader;
        this.batchSize = Math.max(1, batchSize);
        this.cache = cache;
    }

    /**
     * The features of each image, in order: {@code vectors[i]} is null where image {@code i} could not be read,
     * and its reason is among {@code failures}.
     */
    public record Features(float[][] vectors, List<UnreadableImageException> failures) {
    }

    /** One forward pass of a prepared batch (what {@code graft bench} times). */
    public INDArray output(INDArray images) {
        return engine.output(images);
    }

    /** Which engine computes the features ({@link Engine#AUTO} until the first batch decides). */
    public Engine engine() {
        return engine.kind();
    }

    /** What computed the features and why (with {@code --engine auto}, decided on the first batch). */
    public EngineChoice engineChoice() {
        return engine.choice();
    }

    /** Features of {@code images}; {@code progress} is told how many images each step finished. */
    public Features featurize(List<Path> images, IntConsumer progress) {
        int n = images.size();
        float[][] vectors = new float[n][];
        String[] keys = new String[n];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (cache != null) {
                keys[i] = cacheKey(images.get(i));
                vectors[i] = keys[i] == null ? null : cache.get(keys[i]).orElse(null);
            }
            if (vectors[i] == null) {
                todo.add(i);
            }
        }
        progress.accept(n - todo.size());
        List<List<Integer>> chunks = new ArrayList<>();
        for (int start = 0; start < todo.size(); start += batchSize) {
            chunks.add(todo.subList(start, Math.min(todo.size(), start + batchSize)));
        }
        List<UnreadableImageException> failures = new ArrayList<>();
        // the next batch decodes while the engine works on this one
        try (PrefetchingLoader batches = new PrefetchingLoader(loader,
                chunks.stream().map(c -> c.stream().map(images::get).toList()).toList())) {
            for (List<Integer> chunk : chunks) {
                ImageLoader.Batch batch = batches.next();
                failures.addAll(batch.failures());
                if (batch.features() != null) {
                    INDArray out = engine.output(batch.features());
                    INDArray rows = out.reshape(out.size(0), out.length() / out.size(0));
                    for (int j = 0; j < batch.loaded().size(); j++) {
                        int i = chunk.get(batch.loaded().get(j));
                        vectors[i] = rows.getRow(j).toFloatVector();
                        if (cache != null && keys[i] != null) {
                            cache.put(keys[i], vectors[i]);
                        }
                    }
                }
                progress.accept(chunk.size());
            }
        }
        return new Features(vectors, List.copyOf(failures));
    }

    /** The image's cache key, or null when it cannot be read (the loader then says why). */
    private static String cacheKey(Path image) {
        try {
            return FeatureCache.keyOf(image);
        } catch (UncheckedIOException unreadable) {
            return null;
        }
    }

    public int cacheHits() {
        return cache == null ? 0 : cache.hits();
    }

    public int cacheRejected() {
        return cache == null ? 0 : cache.rejected();
    }

    @Override
    public void close() {
        engine.close();
    }
}
