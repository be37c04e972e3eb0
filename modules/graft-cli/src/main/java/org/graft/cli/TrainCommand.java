package org.graft.cli;

import org.graft.common.BadOptionException;
import org.graft.backbone.BackboneLoader;
import org.graft.engine.Engine;
import org.graft.train.Mode;
import org.graft.train.TrainingConfig;
import org.graft.train.CrossValidation;
import org.graft.data.Grouping;
import org.graft.train.TrainingJob;
import org.graft.train.TrainingResult;
import org.graft.train.TrainingUi;
import org.graft.report.RunReport;
import org.graft.common.GraftException;
import org.graft.common.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import java.nio.file.Files;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Graft a new classifier onto a pretrained backbone and train it on a folder of images "
                + "(one sub-folder per class).",
        footer = {"", "Examples:",
                "  graft train --data my-images --out runs/mine",
                "  graft train --data hymenoptera/train --val hymenoptera/val --backbone mobilenet-v1-0.25 --ui",
                "  graft train --data glyphs --mode finetune --lr 0.0001 --epochs 5 --out runs/glyphs-ft",
                "  graft train --data scans --backbone my_keras_model.h5 --preprocess TORCH --size 224",
                "  graft train --data scans --backbone resnet18.onnx        (exported with torch.onnx.export)",
                "  graft train --data scans --mode finetune --unfreeze 2 --augment --class-weights auto",
                "  graft train --data cutouts --group-by 'page\\d+' --folds 5  (cut-outs of one page stay together)",
                "  graft train --resume runs/mine                           (after an interruption)",
                "  graft train --rerun runs/mine                            (the same run again, to check it)"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Training images, one sub-folder per class (required, except with --resume).")
    Path data;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue an interrupted run (Ctrl-C, a crash, kill -9, a full disk) from its last "
                    + "checkpoint, with the settings it was started with; finished epochs are not repeated.")
    Path resume;

    @Option(names = "--rerun", paramLabel = "RUN",
            description = "Run an earlier training again from its command.json (into --out, default RUN-rerun) and "
                    + "say whether the metrics came out the same.")
    Path rerun;

    @Spec
    CommandSpec spec;

    /** Set on the command rebuilt from a run's command.json. */
    private boolean resuming;

    @Option(names = "--val", paramLabel = "DIR",
            description = "Validation images, already split off (same class folders). "
                    + "Without it, --data is split (stratified, seeded).")
    Path val;

    @Option(names = "--backbone", paramLabel = "NAME|FILE", description = "Registry name, Keras .h5 file or ONNX file "
            + "(default: the registry's default, efficientnet-b0; see 'graft inspect --list').")
    String backbone;

    @Option(names = "--mode", paramLabel = "transfer|finetune", defaultValue = "transfer",
            description = "transfer: backbone frozen, only the new head learns; finetune: everything learns "
                    + "(default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--epochs", defaultValue = "10",
            description = "Passes over the training images; in finetune mode, those with the backbone unfrozen "
                    + "(default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--head-epochs", defaultValue = "5",
            description = "finetune: epochs training the new head alone on the frozen backbone first "
                    + "(default: ${DEFAULT-VALUE}).")
    int headEpochs;

    @Option(names = "--unfreeze", defaultValue = "all", paramLabel = "all|N",
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

    @Option(names = "--monitor", defaultValue = "macro-f1", paramLabel = "macro-f1|val-loss|accuracy",
            description = "Validation figure that picks the best epoch and drives early stopping "
                    + "(default: ${DEFAULT-VALUE}).")
    String monitor;

    @Option(names = "--patience", defaultValue = "5",
            description = "Stop a phase after this many epochs without a better --monitor; 0 never stops early "
                    + "(default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--class-weights", defaultValue = "none", paramLabel = "none|auto|LABEL=W,...",
            description = "Weigh classes in the loss: auto gives rare classes more weight (inverse frequency) "
                    + "(default: ${DEFAULT-VALUE}).")
    String classWeights;

    @Option(names = "--augment", arity = "0..1", fallbackValue = "standard", defaultValue = "none",
            paramLabel = "SPEC",
            description = "Vary the training images each epoch: standard (crops, small rotations, contrast, skew, "
                    + "blur, JPEG noise; never mirrored, for text), photo (standard + flips), or a list such as "
                    + "crop,rotate=5,blur (default: ${DEFAULT-VALUE}; --augment alone: standard).")
    String augment;

    @Option(names = "--group-by", paramLabel = "REGEX|CSV",
            description = "Keep related images on one side of the split: a regex on the path under --data (its "
                    + "first group, or the whole match, names the group, e.g. 'page\\d+'), or a CSV with columns "
                    + "path,group.")
    String groupBy;

    @Option(names = "--folds", paramLabel = "K",
            description = "K-fold cross-validation: K runs in RUN/fold-1..K, then mean ± standard deviation of "
                    + "accuracy and macro F1.")
    Integer folds;

    @Option(names = "--no-duplicate-check",
            description = "Skip the perceptual-hash check for near-duplicate images across the split.")
    boolean noDuplicateCheck;

    @Option(names = "--batch", defaultValue = "32",
            description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--inference-batch", defaultValue = "4",
            description = "Images per forward pass when nothing is learned (features, validation); small is fastest "
                    + "on a CPU (default: ${DEFAULT-VALUE}).")
    int inferenceBatch;

    @Option(names = "--lr", defaultValue = "0.001",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed for the split, shuffling and the head (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--val-fraction", defaultValue = "0.2",
            description = "Share of each class held out for validation when --val is not given "
                    + "(default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/latest",
            description = "Run folder for the model, metrics and logs (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--ui", description = "Show DL4J's training UI in the browser (http://127.0.0.1:9000).")
    boolean ui;

    @Option(names = "--ui-host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address the UI listens on (default: ${DEFAULT-VALUE}, this computer only; 0.0.0.0 "
                    + "shares it with the network).")
    String uiHost;

    @Option(names = "--ui-port", defaultValue = "9000",
            description = "Port of the UI (default: ${DEFAULT-VALUE}).")
    int uiPort;

    @Option(names = "--feature-layer", paramLabel = "LAYER",
            description = "Layer whose output feeds the new head (default: the backbone's own, or detected).")
    String featureLayer;

    @Option(names = "--engine", defaultValue = "dl4j", paramLabel = "dl4j|onnxruntime",
            description = "In transfer mode, what computes the backbone's features: DL4J, or ONNX Runtime on an ONNX "
                    + "export of it (faster on a CPU, same features to 1e-4). DL4J always trains "
                    + "(default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--preprocess", paramLabel = "PRESET",
            description = "For a model file: how its images were prepared: ${COMPLETION-CANDIDATES} "
                    + "(default: KERAS_TF for Keras files, TORCHVISION for ONNX files).")
    PreprocessPreset preprocess;

    @Option(names = "--size", paramLabel = "PX", description = "With --preprocess: input size in pixels (default 224).",
            defaultValue = "224")
    int size;

    @Mixin
    RunOptions run;

    @Mixin
    Workspace workspace;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            return resumeRun(resume);
        }
        if (rerun != null) {
            return rerunRun(rerun, spec.commandLine().getParseResult().hasMatchedOption("--out") ? out : null);
        }
        if (data == null) {
            throw new BadOptionException("Missing --data.", "Give the folder of training images, one sub-folder per "
                    + "class: graft train --data my-images (or --resume RUN to continue a run).");
        }
        TrainingConfig config = config();
        BackboneLoader.Builder loader = workspace.backboneLoader();
        if (featureLayer != null) {
            loader.optFeatureLayer(featureLayer);
        }
        if (preprocess != null) {
            loader.optPreprocessing(preprocess.at(size));
        }
        // frozen BatchNorm (a frozen backbone, or fine-tuning by default) is a fixed affine map: folded into the
        // convolutions
        loader.optFoldBatchNorm(!(config.mode() == Mode.FINETUNE && config.trainBatchNorm()));
        BackboneLoader backbones = loader.build();
        Grouping grouping = groupBy == null ? null : Grouping.parse(groupBy);
        java.util.function.Supplier<org.graft.backbone.Backbone> backboneSource =
                () -> backbones.load(backbone != null ? backbone : backbones.registry().defaultName());
        if (folds != null) {
            if (val != null) {
                throw new BadOptionException("--folds and --val do not go together.",
                        "Cross-validation makes its own validation folds from --data; drop --val.");
            }
            CrossValidation.Result cv = CrossValidation.builder().setTrainData(data).setBackbone(backboneSource)
                    .setRunDir(out).setFolds(folds).optConfig(config).optGrouping(grouping)
                    .optJob(job -> job.optProgress(!run.noProgress).optFeatureCache(run.featureCache(workspace))
                            .optEngine(Engine.parse(engine)).optCheckNearDuplicates(!noDuplicateCheck))
                    .build().run();
            System.out.println("Folds: " + cv.runDir().resolve(CrossValidation.SUMMARY_FILE));
            return 0;
        }
        TrainingResult result = TrainingJob.builder()
                .setTrainData(data)
                .optValidationData(val)
                .setBackbone(backboneSource)
                .setRunDir(out)
                .optConfig(config)
                .optGrouping(grouping)
                .optCheckNearDuplicates(!noDuplicateCheck)
                .optUi(ui ? new TrainingJob.UiAddress(uiHost, uiPort) : null)
                .optProgress(!run.noProgress)
                .optFeatureCache(run.featureCache(workspace))
                .optEngine(Engine.parse(engine))
                .optResume(resuming)
                .optArguments(ownArguments())
                .build()
                .run();
        System.out.println();
        System.out.println(result.validation().toTable());
        System.out.println("Report: " + RunReport.write(result.runDir()).toAbsolutePath());
        if (ui) {
            UiCommand.waitWhileUiOpen();
            TrainingUi.stop();
        }
        return 0;
    }

    /** The training recipe from the options, with the mode's own defaults where an option was not given. */
    TrainingConfig config() {
        TrainingConfig base = TrainingConfig.defaults()
                .withMode(Modes.parse(mode))
                .withEpochs(epochs)
                .withHeadEpochs(headEpochs)
                .withBatchSize(batch)
                .withLearningRate(lr)
                .withSeed(seed)
                .withValidationFraction(valFraction)
                .withInferenceBatch(inferenceBatch)
                .withPatience(patience)
                .withMonitor(TrainingConfig.Monitor.parse(monitor))
                .withClassWeights(classWeights)
                .withAugmentation(augment);
        TrainingConfig.Builder b = base.toBuilder()
                .optUnfreeze(parseUnfreeze(unfreeze))
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
        // an augmentation spec is checked now, not after the backbone has loaded
        org.graft.data.Augmentation.parse(augment);
        return b.build().validated();
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

    /** This command's own arguments (without the global ones and "train" before them), for command.json. */
    private java.util.List<String> ownArguments() {
        java.util.List<String> all = spec.commandLine().getParseResult().originalArgs();
        int train = all.indexOf(spec.name());
        return all.subList(train + 1, all.size());
    }

    /** Repeats the command that started the run, continuing from its last checkpoint. */
    private static int resumeRun(Path run) throws Exception {
        TrainCommand again = fromRunFolder(run, "resumed");
        again.resuming = true;
        again.out = run;
        System.out.println("Resuming: graft train " + String.join(" ", again.spec.commandLine().getParseResult()
                .originalArgs()));
        return again.call();
    }

    /**
     * Runs the command of an earlier run again into a new folder, and compares: the same data, seed and software
     * must give the same split and the same metrics.
     */
    private static int rerunRun(Path run, Path into) throws Exception {
        TrainCommand again = fromRunFolder(run, "rerun");
        Path target = into != null ? into : run.resolveSibling(run.getFileName() + "-rerun");
        if (target.toAbsolutePath().normalize().equals(run.toAbsolutePath().normalize())) {
            throw new BadOptionException("--rerun would overwrite " + run + ".", "Give another --out folder.");
        }
        again.out = target;
        System.out.println("Rerunning: graft train " + String.join(" ", again.spec.commandLine().getParseResult()
                .originalArgs()) + "  (into " + target + ")");
        int code = again.call();
        RerunComparison cmp = RerunComparison.compare(run, target);
        System.out.println(cmp.message());
        return code;
    }

    /** A train command rebuilt from a run folder's command.json, with relative paths as they were then. */
    private static TrainCommand fromRunFolder(Path run, String what) throws Exception {
        Path command = run.resolve(TrainingJob.COMMAND_FILE);
        if (!Files.isRegularFile(command)) {
            throw new BadOptionException(run + " is not a run folder that can be " + what + " (it has no "
                    + TrainingJob.COMMAND_FILE + ").", "Give the --out folder of an earlier 'graft train'.");
        }
        TrainingJob.Command saved = TrainingJob.Command.read(command);
        TrainCommand again = new TrainCommand();
        CommandLine cl = new CommandLine(again);
        cl.parseArgs(saved.arguments().toArray(new String[0]));
        again.spec = cl.getCommandSpec();
        if (saved.workingDirectory() != null) {
            Path wd = Path.of(saved.workingDirectory());
            again.data = again.data == null ? null : wd.resolve(again.data);
            again.val = again.val == null ? null : wd.resolve(again.val);
            if (again.backbone != null && Files.exists(wd.resolve(again.backbone))) {
                again.backbone = wd.resolve(again.backbone).toString();
            }
            if (again.groupBy != null && Files.isRegularFile(wd.resolve(again.groupBy))) {
                again.groupBy = wd.resolve(again.groupBy).toString();
            }
        }
        return again;
    }

    /** Parses --mode with a clear message. */
    static final class Modes {
        private Modes() {
        }

        static Mode parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "transfer" -> Mode.TRANSFER;
                case "finetune", "fine-tune" -> Mode.FINETUNE;
                default -> throw new BadOptionException("Unknown --mode '" + s + "'.",
                        "Use --mode transfer (backbone frozen) or --mode finetune (everything trains).");
            };
        }
    }
}
