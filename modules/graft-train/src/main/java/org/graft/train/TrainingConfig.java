package org.graft.train;

/**
 * The training recipe. Defaults follow the course notebook this toolkit grew from: Adam at 1e-3, batch 32,
 * Dropout(0.2) before the new softmax layer, an 80/20 stratified split. Ten epochs: in transfer mode an epoch
 * over cached features costs well under a second, so the default errs on the side of converging.
 *
 * @param dropout         probability of dropping an activation before the new output layer (Keras convention)
 * @param uiStatsEvery    with the training UI on, record statistics every this many iterations
 * @param inferenceBatch  images per forward pass when nothing is learned (features, validation). Small batches are
 *                        faster on a CPU with DL4J: EfficientNet-B0 featurizes at 4.6 img/s with batches of 4 and
 *                        1.4 img/s with 32, in a third of the memory (2.6 vs 8.4 GB peak)
 */
public record TrainingConfig(Mode mode, int epochs, int batchSize, double learningRate, long seed, double dropout,
                             double validationFraction, int uiStatsEvery, int inferenceBatch) {

    /** See {@code inferenceBatch}: the best of 1, 2, 4, 8 and 32 measured on 2 CPU cores. */
    public static final int DEFAULT_INFERENCE_BATCH = 4;

    public static TrainingConfig defaults() {
        return new TrainingConfig(Mode.TRANSFER, 10, 32, 1e-3, 42, 0.2, 0.2, 10, DEFAULT_INFERENCE_BATCH);
    }

    public TrainingConfig withMode(Mode m) {
        return new TrainingConfig(m, epochs, batchSize, learningRate, seed, dropout, validationFraction,
                uiStatsEvery, inferenceBatch);
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(mode, e, batchSize, learningRate, seed, dropout, validationFraction,
                uiStatsEvery, inferenceBatch);
    }

    public TrainingConfig withBatchSize(int b) {
        return new TrainingConfig(mode, epochs, b, learningRate, seed, dropout, validationFraction,
                uiStatsEvery, inferenceBatch);
    }

    public TrainingConfig withLearningRate(double lr) {
        return new TrainingConfig(mode, epochs, batchSize, lr, seed, dropout, validationFraction,
                uiStatsEvery, inferenceBatch);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(mode, epochs, batchSize, learningRate, s, dropout, validationFraction,
                uiStatsEvery, inferenceBatch);
    }

    public TrainingConfig withValidationFraction(double f) {
        return new TrainingConfig(mode, epochs, batchSize, learningRate, seed, dropout, f, uiStatsEvery,
                inferenceBatch);
    }

    public TrainingConfig withInferenceBatch(int b) {
        return new TrainingConfig(mode, epochs, batchSize, learningRate, seed, dropout, validationFraction,
                uiStatsEvery, b);
    }

    /** Checks values a user typed, with messages that say what is allowed. */
    public TrainingConfig validated() {
        require(epochs >= 1, "--epochs must be at least 1 (got " + epochs + ")");
        require(batchSize >= 1, "--batch must be at least 1 (got " + batchSize + ")");
        require(learningRate > 0 && learningRate < 10, "--lr must be a small positive number such as 0.001 (got "
                + learningRate + ")");
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1) (got " + dropout + ")");
        require(validationFraction > 0 && validationFraction < 1,
                "--val-fraction must be between 0 and 1 (got " + validationFraction + ")");
        require(uiStatsEvery >= 1, "the UI statistics interval must be at least 1");
        require(inferenceBatch >= 1, "--inference-batch must be at least 1 (got " + inferenceBatch + ")");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new org.graft.common.GraftException(message, null);
        }
    }
}
