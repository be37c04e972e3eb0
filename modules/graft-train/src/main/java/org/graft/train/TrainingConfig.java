package org.graft.train;

import org.graft.common.BadOptionException;
import org.graft.common.GraftException;

/**
 * The training recipe: everything that decides the trained weights, recorded in the model's provenance.
 *
 * <p>Defaults follow the course notebook this toolkit grew from (Adam at 1e-3, batch 32, Dropout(0.2) before the
 * new softmax layer, an 80/20 stratified split) and, for fine-tuning, the Keras transfer-learning guide's advice
 * for small data: train the new head on the frozen backbone first, then unfreeze with a learning rate ten times
 * lower for the backbone, BatchNorm statistics kept frozen, a one-epoch warm-up and a cosine decay.
 *
 * @param mode              transfer (backbone frozen) or finetune (head first, then the backbone too)
 * @param epochs            transfer: epochs of head training; finetune: epochs with the backbone unfrozen
 * @param headEpochs        finetune only: epochs of head training on the frozen backbone before unfreezing
 * @param unfreeze          finetune only: how many of the backbone's last blocks learn; {@link #ALL_BLOCKS} = all
 * @param learningRate      Adam's learning rate for the new head
 * @param backboneLearningRate finetune only: Adam's learning rate for the unfrozen backbone layers
 * @param schedule          how the learning rates change over the main phase
 * @param warmupEpochs      epochs over which the learning rates ramp up linearly at the start of the main phase
 * @param trainBatchNorm    finetune only: let BatchNorm layers update their statistics (default: frozen, folded
 *                          into the convolutions, which small batches of a small data set would otherwise upset)
 * @param monitor           what picks the best epoch and drives early stopping
 * @param patience          stop a phase after this many epochs without improvement of {@code monitor}; 0 = never
 * @param classWeights      "none", "auto" (inverse class frequency) or "label=weight,..." (see {@link ClassWeights})
 * @param augmentation      training-image augmentation spec ("none", "standard", "photo", or a list)
 * @param dropout           probability of dropping an activation before the new output layer (Keras convention)
 * @param uiStatsEvery      with the training UI on, record statistics every this many iterations
 * @param inferenceBatch    images per forward pass when nothing is learned (features, validation). Small batches
 *                          are faster on a CPU with DL4J: EfficientNet-B0 featurizes at 4.6 img/s with batches of 4
 *                          and 1.4 img/s with 32, in a third of the memory (2.6 vs 8.4 GB peak)
 */
public record TrainingConfig(Mode mode, int epochs, int headEpochs, int unfreeze, int batchSize, double learningRate,
                             double backboneLearningRate, Schedule schedule, int warmupEpochs, boolean trainBatchNorm,
                             Monitor monitor, int patience, String classWeights, String augmentation, long seed,
                             double dropout, double validationFraction, int uiStatsEvery, int inferenceBatch) {

    /** See {@code inferenceBatch}: the best of 1, 2, 4, 8 and 32 measured on 2 CPU cores. */
    public static final int DEFAULT_INFERENCE_BATCH = 4;
    /** {@code unfreeze} value meaning every block of the backbone learns. */
    public static final int ALL_BLOCKS = -1;

    /** How the learning rate moves during the main training phase (after a linear warm-up, if any). */
    public enum Schedule {
        /** The same rate throughout. */
        CONSTANT,
        /** Half a cosine from the full rate down to 1% of it. */
        COSINE,
        /** Smith's one-cycle: up from 1/25 of the rate to the full rate over 30% of the steps, then down. */
        ONECYCLE;

        public static Schedule parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace("-", ""));
            } catch (IllegalArgumentException e) {
                throw new BadOptionException("Unknown --schedule '" + s + "'.", "Use constant, cosine or onecycle.");
            }
        }
    }

    /** The validation figure that chooses the best epoch (ties go to the lower validation loss). */
    public enum Monitor {
        VAL_LOSS, MACRO_F1, ACCURACY;

        public static Monitor parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
                case "val-loss", "loss" -> VAL_LOSS;
                case "macro-f1", "f1" -> MACRO_F1;
                case "accuracy", "acc" -> ACCURACY;
                default -> throw new BadOptionException("Unknown --monitor '" + s + "'.",
                        "Use val-loss, macro-f1 or accuracy.");
            };
        }

        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(Mode.TRANSFER, 10, 5, ALL_BLOCKS, 32, 1e-3, 1e-4, Schedule.CONSTANT, 0, false,
                Monitor.MACRO_F1, 5, "none", "none", 42, 0.2, 0.2, 10, DEFAULT_INFERENCE_BATCH);
    }

    /**
     * The mode with the defaults that suit it: fine-tuning gets a cosine schedule with one warm-up epoch; transfer
     * training of the head alone keeps a constant rate (it converges in a few epochs on cached features).
     */
    public TrainingConfig withMode(Mode m) {
        Builder b = toBuilder();
        b.mode = m;
        if (m == Mode.FINETUNE && schedule == Schedule.CONSTANT && warmupEpochs == 0) {
            b.schedule = Schedule.COSINE;
            b.warmupEpochs = 1;
        }
        return b.build();
    }

    public TrainingConfig withEpochs(int e) {
        Builder b = toBuilder();
        b.epochs = e;
        return b.build();
    }

    public TrainingConfig withBatchSize(int n) {
        Builder b = toBuilder();
        b.batchSize = n;
        return b.build();
    }

    /** The head's learning rate; the backbone's stays a tenth of it unless set on its own. */
    public TrainingConfig withLearningRate(double lr) {
        Builder b = toBuilder();
        if (backboneLearningRate == learningRate / 10) {
            b.backboneLearningRate = lr / 10;
        }
        b.learningRate = lr;
        return b.build();
    }

    public TrainingConfig withSeed(long s) {
        Builder b = toBuilder();
        b.seed = s;
        return b.build();
    }

    public TrainingConfig withValidationFraction(double f) {
        Builder b = toBuilder();
        b.validationFraction = f;
        return b.build();
    }

    public TrainingConfig withInferenceBatch(int n) {
        Builder b = toBuilder();
        b.inferenceBatch = n;
        return b.build();
    }

    public TrainingConfig withPatience(int p) {
        Builder b = toBuilder();
        b.patience = p;
        return b.build();
    }

    public TrainingConfig withHeadEpochs(int e) {
        Builder b = toBuilder();
        b.headEpochs = e;
        return b.build();
    }

    public TrainingConfig withAugmentation(String spec) {
        Builder b = toBuilder();
        b.augmentation = spec;
        return b.build();
    }

    public TrainingConfig withClassWeights(String spec) {
        Builder b = toBuilder();
        b.classWeights = spec;
        return b.build();
    }

    public TrainingConfig withMonitor(Monitor m) {
        Builder b = toBuilder();
        b.monitor = m;
        return b.build();
    }

    /** Epochs of the head-only phase that this run actually has (fine-tuning only). */
    public int headPhaseEpochs() {
        return mode == Mode.FINETUNE ? headEpochs : 0;
    }

    /** All epochs the run may take, phases together. */
    public int totalEpochs() {
        return headPhaseEpochs() + epochs;
    }

    /** Checks values a user typed, with messages that say what is allowed. */
    public TrainingConfig validated() {
        require(epochs >= 1, "--epochs must be at least 1 (got " + epochs + ")");
        require(headEpochs >= 0, "--head-epochs must be 0 or more (got " + headEpochs + ")");
        require(unfreeze == ALL_BLOCKS || unfreeze >= 1, "--unfreeze must be 'all' or a number of blocks of 1 or "
                + "more (got " + unfreeze + ")");
        require(batchSize >= 1, "--batch must be at least 1 (got " + batchSize + ")");
        require(learningRate > 0 && learningRate < 10, "--lr must be a small positive number such as 0.001 (got "
                + learningRate + ")");
        require(backboneLearningRate > 0 && backboneLearningRate < 10,
                "--backbone-lr must be a small positive number such as 0.0001 (got " + backboneLearningRate + ")");
        require(warmupEpochs >= 0 && warmupEpochs <= epochs, "--warmup must be between 0 and --epochs (got "
                + warmupEpochs + ")");
        require(patience >= 0, "--patience must be 0 (no early stopping) or more (got " + patience + ")");
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1) (got " + dropout + ")");
        require(validationFraction > 0 && validationFraction < 1,
                "--val-fraction must be between 0 and 1 (got " + validationFraction + ")");
        require(uiStatsEvery >= 1, "the UI statistics interval must be at least 1");
        require(inferenceBatch >= 1, "--inference-batch must be at least 1 (got " + inferenceBatch + ")");
        require(schedule != null && monitor != null && mode != null, "mode, schedule and monitor must be set");
        require(classWeights != null && augmentation != null, "class weights and augmentation must be set "
                + "(\"none\" for none)");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new BadOptionException(message, null);
        }
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** Builder for the options a user rarely sets; every field starts at its default. */
    public static final class Builder {
        private Mode mode;
        private int epochs;
        private int headEpochs;
        private int unfreeze;
        private int batchSize;
        private double learningRate;
        private double backboneLearningRate;
        private Schedule schedule;
        private int warmupEpochs;
        private boolean trainBatchNorm;
        private Monitor monitor;
        private int patience;
        private String classWeights;
        private String augmentation;
        private long seed;
        private double dropout;
        private double validationFraction;
        private int uiStatsEvery;
        private int inferenceBatch;

        private Builder(TrainingConfig c) {
            mode = c.mode;
            epochs = c.epochs;
            headEpochs = c.headEpochs;
            unfreeze = c.unfreeze;
            batchSize = c.batchSize;
            learningRate = c.learningRate;
            backboneLearningRate = c.backboneLearningRate;
            schedule = c.schedule;
            warmupEpochs = c.warmupEpochs;
            trainBatchNorm = c.trainBatchNorm;
            monitor = c.monitor;
            patience = c.patience;
            classWeights = c.classWeights;
            augmentation = c.augmentation;
            seed = c.seed;
            dropout = c.dropout;
            validationFraction = c.validationFraction;
            uiStatsEvery = c.uiStatsEvery;
            inferenceBatch = c.inferenceBatch;
        }

        public Builder optUnfreeze(int blocks) {
            this.unfreeze = blocks;
            return this;
        }

        public Builder optBackboneLearningRate(double lr) {
            this.backboneLearningRate = lr;
            return this;
        }

        public Builder optSchedule(Schedule s) {
            this.schedule = s;
            return this;
        }

        public Builder optWarmupEpochs(int e) {
            this.warmupEpochs = e;
            return this;
        }

        public Builder optTrainBatchNorm(boolean train) {
            this.trainBatchNorm = train;
            return this;
        }

        public Builder optDropout(double p) {
            this.dropout = p;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(mode, epochs, headEpochs, unfreeze, batchSize, learningRate,
                    backboneLearningRate, schedule, warmupEpochs, trainBatchNorm, monitor, patience, classWeights,
                    augmentation, seed, dropout, validationFraction, uiStatsEvery, inferenceBatch);
        }
    }
}
