package org.graft.cli;

import org.graft.common.BadOptionException;
import org.graft.data.Augmentation;
import org.graft.train.ClassWeighting;
import org.graft.train.Mode;
import org.graft.train.TrainingConfig;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * The training recipe's options of {@code graft train} (a picocli mixin, as Tribuo's {@code *Options} classes):
 * each one maps to one {@link TrainingConfig} value, and the values not given come from
 * {@link TrainingConfig#defaults()} through {@link TrainingDefaults}.
 */
public final class TrainingOptions {
    @Option(names = "--mode", paramLabel = "transfer|finetune",
            description = "transfer: backbone frozen, only the new head learns; finetune: everything learns "
                    + "(default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--epochs",
            description = "Passes over the training images; in finetune mode, those with the backbone unfrozen "
                    + "(default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--head-epochs",
            description = "finetune: epochs training the new head alone on the frozen backbone first "
                    + "(default: ${DEFAULT-VALUE}).")
    int headEpochs;

    @Option(names = "--unfreeze", paramLabel = "all|N",
            description = "finetune: unfreeze the whole backbone, or only its last N blocks "
                    + "(default: ${DEFAULT-VALUE}; 'graft inspect' lists the blocks).")
    String unfreeze;

    @Option(names = "--backbone-lr", paramLabel = "LR",
            description = "finetune: learning rate of the unfrozen backbone layers (default: --lr / 10).")
    Double backboneLr;

    @Option(names = "--schedule", paramLabel = "constant|cosine|onecycle",
            description = "Learning-rate schedule of the main phase (default: cosine for finetune, constant for "
                    + "transfer).")
    String schedule;

    @Option(names = "--warmup", paramLabel = "EPOCHS",
            description = "Epochs of linear learning-rate warm-up (default: 1 for finetune, 0 for transfer).")
    Integer warmup;

    @Option(names = "--train-batchnorm",
            description = "finetune: let BatchNorm layers update their statistics (default: frozen, as the Keras "
                    + "guide advises for small data).")
    boolean trainBatchNorm;

    @Option(names = "--monitor", paramLabel = "macro-f1|val-loss|accuracy",
            description = "Validation figure that picks the best epoch and drives early stopping "
                    + "(default: ${DEFAULT-VALUE}).")
    String monitor;

    @Option(names = "--patience",
            description = "Stop a phase after this many epochs without a better --monitor; 0 never stops early "
                    + "(default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--class-weights", paramLabel = "none|auto|LABEL=W,...",
            description = "Weigh classes in the loss: auto gives rare classes more weight (inverse frequency) "
                    + "(default: ${DEFAULT-VALUE}).")
    String classWeights;

    @Option(names = "--augment", arity = "0..1", fallbackValue = "standard", paramLabel = "SPEC",
            description = "Vary the training images each epoch: standard (crops, small rotations, contrast, skew, "
                    + "blur, JPEG noise; never mirrored, for text), photo (standard + flips), or a list such as "
                    + "crop,rotate=5,blur (default: ${DEFAULT-VALUE}; --augment alone: standard).")
    String augment;

    @Option(names = "--batch", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--inference-batch",
            description = "Images per forward pass when nothing is learned (features, validation); 8-16 is fastest "
                    + "on a CPU (graft bench --sweep measures it) (default: ${DEFAULT-VALUE}).")
    int inferenceBatch;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", description = "Seed for the split, shuffling and the head (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--val-fraction",
            description = "Share of each class held out for validation when --val is not given "
                    + "(default: ${DEFAULT-VALUE}).")
    double valFraction;

    /** The training recipe from the options; defaults come from TrainingConfig (see TrainingDefaults). */
    TrainingConfig config() {
        TrainingConfig.Builder b = TrainingConfig.builder()
                .optMode(Modes.parse(mode))
                .optEpochs(epochs)
                .optHeadEpochs(headEpochs)
                .optUnfreeze(parseUnfreeze(unfreeze))
                .optBatchSize(batch)
                .optLearningRate(lr)
                .optSeed(seed)
                .optValidationFraction(valFraction)
                .optInferenceBatch(inferenceBatch)
                .optPatience(patience)
                .optMonitor(TrainingConfig.Monitor.parse(monitor))
                .optClassWeights(ClassWeighting.parse(classWeights))
                .optAugmentation(Augmentation.parse(augment))
                .optTrainBatchNorm(trainBatchNorm);
        if (backboneLr != null) {
            b.optBackboneLearningRate(backboneLr);
        }
        if (schedule != null) {
            b.optSchedule(TrainingConfig.Schedule.parse(schedule));
        }
        if (warmup != null) {
            b.optWarmupEpochs(warmup);
        }
        return b.build();
    }

    private static int parseUnfreeze(String s) {
        if (s.equalsIgnoreCase("all")) {
            return TrainingConfig.ALL_BLOCKS;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new BadOptionException("Cannot read --unfreeze '" + s + "'.",
                    "Use --unfreeze all, or a number of blocks such as --unfreeze 2.");
        }
    }

    /** Parses --mode with a clear message. */
    static final class Modes {
        private Modes() {
        }

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "transfer" -> Mode.TRANSFER;
                case "finetune", "fine-tune" -> Mode.FINETUNE;
                default -> throw new BadOptionException("Unknown --mode '" + s + "'.",
                        "Use --mode transfer (backbone frozen) or --mode finetune (everything trains).");
            };
        }
    }
}
