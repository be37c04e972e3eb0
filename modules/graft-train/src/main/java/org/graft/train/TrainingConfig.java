package org.graft.train;

import org.graft.common.BadOptionException;
import org.graft.data.Augmentation;

import java.util.Locale;

/**
 * The training recipe: everything that decides the trained weights, recorded in the model's provenance and in the
 * run's {@code recipe.json}. The defaults here are the only ones: the command line shows them and fills in what a
 * user leaves out from {@link #defaults()}.
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
 * @param classWeights      how classes weigh in the loss
 * @param augmentation      training-image augmentation ({@link Augmentation#NONE} for none)
 * @param dropout           probability of dropping an activation before the new output layer (Keras convention)
 * @param uiStatsEvery      with the training UI on, record statistics every this many iterations
 * @param inferenceBatch    images per forward pass when nothing is learned (features, validation). Small batches
 *                          are faster on a CPU with DL4J: EfficientNet-B0 featurizes at 4.6 img/s with batches of 4
 *                          and 1.4 img/s with 32, in a third of the memory (2.6 vs 8.4 GB peak)
 */
public record TrainingConfig(Mode mode, int epochs, int headEpochs, int unfreeze, int batchSize, double learningRate,
                             double backboneLearningRate, Schedule schedule, int warmupEpochs, boolean trainBatchNorm,
                             Monitor monitor, int patience, ClassWeighting classWeights, Augmentation augmentation,
                             long seed, double dropout, double validationFraction, int uiStatsEvery,
                             int inferenceBatch) {

    /**
     * See {@code inferenceBatch}. Measured with {@code graft bench --sweep 4,8,16} (EfficientNet-B0, 2 cores, oneDNN
     * helpers on): ONNX Runtime is fastest at 4-8 (59-61 img/s), DL4J at 8-16 (14.5-16), and both slowest at 32
     * (36 and 8.7 img/s): a larger batch's activations no longer fit the caches. 8 is near the best for both.
     */
    public static final int DEFAULT_INFERENCE_BATCH = 8;
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
                return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", ""));
            } catch (IllegalArgumentException e) {
                throw new BadOptionException("Unknown --schedule '" + s + "'.", "Use constant, cosine or onecycle.");
            }
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The validation figure that chooses the best epoch (ties go to the lower validation loss). */
    public enum Monitor {
        VAL_LOSS, MACRO_F1, ACCURACY;

        public static Monitor parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
                case "val-loss", "loss" -> VAL_LOSS;
                case "macro-f1", "f1" -> MACRO_F1;
                case "accuracy", "acc" -> ACCURACY;
                default -> throw new BadOptionException("Unknown --monitor '" + s + "'.",
                        "Use val-loss, macro-f1 or accuracy.");
            };
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Checks values a user typed, with messages that say what is allowed (also for a recipe read from a file). */
    public TrainingConfig {
        require(mode != null && schedule != null && monitor != null, "mode, schedule and monitor must be set");
        require(classWeights != null && augmentation != null, "class weights and augmentation must be set "
                + "(ClassWeighting.NONE, Augmentation.NONE for none)");
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
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new BadOptionException(message + ".", null);
        }
    }

    /** The defaults, in transfer mode. */
    public static TrainingConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this recipe. A value that is what the mode would choose anyway (the schedule, the warm-up,
     * a backbone rate of a tenth of the head's) is not held as given, so that changing the mode or the learning
     * rate on the builder moves it along, as it would have on the command line.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.epochs = epochs;
        b.headEpochs = headEpochs;
        b.unfreeze = unfreeze;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.trainBatchNorm = trainBatchNorm;
        b.monitor = monitor;
        b.patience = patience;
        b.classWeights = classWeights;
        b.augmentation = augmentation;
        b.seed = seed;
        b.dropout = dropout;
        b.validationFraction = validationFraction;
        b.uiStatsEvery = uiStatsEvery;
        b.inferenceBatch = inferenceBatch;
        b.schedule = schedule == Builder.defaultSchedule(mode) ? null : schedule;
        b.warmupEpochs = warmupEpochs == Builder.defaultWarmup(mode) ? null : warmupEpochs;
        b.backboneLearningRate = backboneLearningRate == learningRate / 10 ? null : backboneLearningRate;
        return b;
    }

    /** Epochs of the head-only phase that this run actually has (fine-tuning only). */
    public int headPhaseEpochs() {
        return mode == Mode.FINETUNE ? headEpochs : 0;
    }

    /** All epochs the run may take, phases together. */
    public int totalEpochs() {
        return headPhaseEpochs() + epochs;
    }

    /**
     * Builder: every value is optional and starts at its default. The schedule and warm-up default by mode (cosine
     * with one warm-up epoch for fine-tuning, a constant rate for transfer, which converges in a few epochs on
     * cached features); the backbone's learning rate defaults to a tenth of the head's.
     */
    public static final class Builder {
        private Mode mode = Mode.TRANSFER;
        private int epochs = 10;
        private int headEpochs = 5;
        private int unfreeze = ALL_BLOCKS;
        private int batchSize = 32;
        private double learningRate = 1e-3;
        private Double backboneLearningRate;
        private Schedule schedule;
        private Integer warmupEpochs;
        private boolean trainBatchNorm;
        private Monitor monitor = Monitor.MACRO_F1;
        private int patience = 5;
        private ClassWeighting classWeights = ClassWeighting.NONE;
        private Augmentation augmentation = Augmentation.NONE;
        private long seed = 42;
        private double dropout = 0.2;
        private double validationFraction = 0.2;
        private int uiStatsEvery = 10;
        private int inferenceBatch = DEFAULT_INFERENCE_BATCH;

        private Builder() {
        }

        static Schedule defaultSchedule(Mode mode) {
            return mode == Mode.FINETUNE ? Schedule.COSINE : Schedule.CONSTANT;
        }

        static int defaultWarmup(Mode mode) {
            return mode == Mode.FINETUNE ? 1 : 0;
        }

        public Builder optMode(Mode mode) {
            this.mode = mode;
            return this;
        }

        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder optHeadEpochs(int epochs) {
            this.headEpochs = epochs;
            return this;
        }

        public Builder optUnfreeze(int blocks) {
            this.unfreeze = blocks;
            return this;
        }

        public Builder optBatchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** The head's learning rate; the backbone's follows at a tenth unless set on its own. */
        public Builder optLearningRate(double lr) {
            this.learningRate = lr;
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

        public Builder optMonitor(Monitor m) {
            this.monitor = m;
            return this;
        }

        public Builder optPatience(int p) {
            this.patience = p;
            return this;
        }

        public Builder optClassWeights(ClassWeighting w) {
            this.classWeights = w;
            return this;
        }

        public Builder optAugmentation(Augmentation a) {
            this.augmentation = a;
            return this;
        }

        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        public Builder optDropout(double p) {
            this.dropout = p;
            return this;
        }

        public Builder optValidationFraction(double f) {
            this.validationFraction = f;
            return this;
        }

        public Builder optUiStatsEvery(int n) {
            this.uiStatsEvery = n;
            return this;
        }

        public Builder optInferenceBatch(int n) {
            this.inferenceBatch = n;
            return this;
        }

        /** The recipe, checked. */
        public TrainingConfig build() {
            return new TrainingConfig(mode, epochs, headEpochs, unfreeze, batchSize, learningRate,
                    backboneLearningRate != null ? backboneLearningRate : learningRate / 10,
                    schedule != null ? schedule : defaultSchedule(mode),
                    warmupEpochs != null ? warmupEpochs : defaultWarmup(mode), trainBatchNorm, monitor, patience,
                    classWeights, augmentation, seed, dropout, validationFraction, uiStatsEvery, inferenceBatch);
        }
    }
}
