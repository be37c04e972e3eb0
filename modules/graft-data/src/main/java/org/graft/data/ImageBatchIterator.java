package org.graft.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Batches of preprocessed images with one-hot labels, for DL4J's fit/output/evaluate.
 *
 * <p>Each example carries its file path as metadata (for misclassified-example reports). Images that fail to
 * decode are left out of their batch and recorded in the {@link SkipLog}. With a shuffle seed, every
 * {@link #reset()} starts a new, reproducible order. With an augmentation seed (training), each image is augmented
 * as its loader's {@link Augmentation} says, differently in every epoch but reproducibly.
 */
public final class ImageBatchIterator implements DataSetIterator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final List<ImageEntry> entries;
    private final List<String> labels;
    private final ImageLoader loader;
    private final int batchSize;
    private final Long shuffleSeed;
    private final Long augmentationSeed;
    private final SkipLog skipLog;
    private final List<Integer> order;
    private int epoch;
    private int cursor;
    private DataSet pending;
    private DataSetPreProcessor preProcessor;

    private ImageBatchIterator(Builder b) {
        this.entries = List.copyOf(b.entries);
        this.labels = List.copyOf(b.labels);
        this.loader = b.loader;
        this.batchSize = b.batchSize;
        this.shuffleSeed = b.shuffleSeed;
        this.augmentationSeed = b.augmentationSeed;
        this.skipLog = b.skipLog == null ? new SkipLog() : b.skipLog;
        this.order = new ArrayList<>(IntStream.range(0, entries.size()).boxed().toList());
        reorder();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void reorder() {
        Collections.sort(order);
        if (shuffleSeed != null) {
            shuffle(order, shuffleSeed, epoch);
        }
        cursor = 0;
        pending = null;
    }

    /**
     * The order in which a shuffling iterator visits its {@code n} entries in {@code epoch}: whoever trains on
     * precomputed activations of the same images visits them as a decoding iterator would.
     */
    public static List<Integer> epochOrder(int n, long shuffleSeed, int epoch) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        shuffle(order, shuffleSeed, epoch);
        return order;
    }

    private static void shuffle(List<Integer> order, long seed, int epoch) {
        Collections.shuffle(order, new Random(seed + 31L * epoch));
    }

    public int numExamples() {
        return entries.size();
    }

    public SkipLog skipLog() {
        return skipLog;
    }

    @Override
    public boolean hasNext() {
        while (pending == null && cursor < order.size()) {
            int end = Math.min(order.size(), cursor + batchSize);
            List<Integer> indices = List.copyOf(order.subList(cursor, end));
            cursor = end;
            pending = load(indices);
        }
        return pending != null;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DataSet ds = pending;
        pending = null;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    /** Decodes a batch (indices into the entries); null if none of its images could be read. */
    private DataSet load(List<Integer> indices) {
        List<ImageEntry> batch = indices.stream().map(entries::get).toList();
        List<Path> paths = batch.stream().map(ImageEntry::path).toList();
        ImageLoader.Batch loaded = augmentationSeed == null ? loader.loadBatch(paths) : loader.loadBatch(paths,
                indices.stream().map(i -> augmentationRandom(augmentationSeed, epoch, i)).toList());
        loaded.failures().forEach(e -> skipLog.add(new SkippedImage(e.path(), e.getMessage())));
        if (loaded.features() == null) {
            return null;
        }
        int n = loaded.loaded().size();
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, labels.size());
        List<String> metaData = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            ImageEntry e = batch.get(loaded.loaded().get(j));
            int idx = labels.indexOf(e.label());
            if (idx >= 0) {
                oneHot.putScalar(j, idx, 1f);
            }
            metaData.add(e.path().toString());
        }
        DataSet ds = new DataSet(loaded.features(), oneHot);
        ds.setExampleMetaData(metaData);
        return ds;
    }

    /**
     * The Random that augments entry {@code index} in {@code epoch}: a function of the three alone, so batches are
     * the same whatever the shuffle, batch size or thread that decodes the image.
     */
    static Random augmentationRandom(long seed, int epoch, int index) {
        long h = mix(seed);
        h = mix(h + GOLDEN_GAMMA * (epoch + 1L));
        h = mix(h + GOLDEN_GAMMA * (index + 1L));
        return new Random(h);
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated outputs (java.util.Random's own seeding does not). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("Batch size is fixed at construction");
    }

    @Override
    public int inputColumns() {
        return loader.tensorLength();
    }

    @Override
    public int totalOutcomes() {
        return labels.size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        epoch++;
        reorder();
    }

    /**
     * Starts epoch {@code epoch} (from 0) of this iterator: its order and augmentation depend on that number alone,
     * so a run resumed at epoch 5 sees what an uninterrupted one saw there.
     */
    public void startEpoch(int epoch) {
        this.epoch = epoch;
        reorder();
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return labels;
    }

    /** Builder: {@code setImages}, {@code setLabels} and {@code setLoader} are required. */
    public static final class Builder {
        private List<ImageEntry> entries;
        private List<String> labels;
        private ImageLoader loader;
        private int batchSize = 32;
        private Long shuffleSeed;
        private Long augmentationSeed;
        private SkipLog skipLog;

        public Builder setImages(List<ImageEntry> entries) {
            this.entries = entries;
            return this;
        }

        public Builder setLabels(List<String> labels) {
            this.labels = labels;
            return this;
        }

        public Builder setLoader(ImageLoader loader) {
            this.loader = loader;
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1");
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Shuffle, reproducibly, at every reset (training); default: file order (evaluation). */
        public Builder optShuffle(long seed) {
            this.shuffleSeed = seed;
            return this;
        }

        /**
         * Augment every image (training) as the loader's {@link Augmentation} says, with choices seeded by
         * {@code seed}, the epoch and the image's position in {@code setImages}. Has no effect when the loader's
         * augmentation is {@link Augmentation#NONE}; default: no augmentation (evaluation).
         */
        public Builder optAugmentation(long seed) {
            this.augmentationSeed = seed;
            return this;
        }

        public Builder optSkipLog(SkipLog skipLog) {
            this.skipLog = skipLog;
            return this;
        }

        public ImageBatchIterator build() {
            if (entries == null || labels == null || loader == null) {
                throw new IllegalStateException("setImages, setLabels and setLoader are required");
            }
            return new ImageBatchIterator(this);
        }
    }
}
