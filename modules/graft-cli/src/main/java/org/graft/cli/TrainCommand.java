package org.graft.cli;

import org.graft.backbone.BackboneLoader;
import org.graft.engine.Engine;
import org.graft.train.Mode;
import org.graft.train.TrainingConfig;
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
                "  graft train --resume runs/mine                           (after an interruption)"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Training images, one sub-folder per class (required, except with --resume).")
    Path data;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue an interrupted run (Ctrl-C, a crash, kill -9, a full disk) from its last "
                    + "checkpoint, with the settings it was started with; finished epochs are not repeated.")
    Path resume;

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
            description = "Passes over the training images (default: ${DEFAULT-VALUE}).")
    int epochs;

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
        if (data == null) {
            throw new GraftException("Missing --data.", "Give the folder of training images, one sub-folder per "
                    + "class: graft train --data my-images (or --resume RUN to continue a run).");
        }
        TrainingConfig config = TrainingConfig.defaults()
                .withMode(Modes.parse(mode))
                .withEpochs(epochs)
                .withBatchSize(batch)
                .withLearningRate(lr)
                .withSeed(seed)
                .withValidationFraction(valFraction)
                .withInferenceBatch(inferenceBatch)
                .validated();
        BackboneLoader.Builder loader = workspace.backboneLoader();
        if (featureLayer != null) {
            loader.optFeatureLayer(featureLayer);
        }
        if (preprocess != null) {
            loader.optPreprocessing(preprocess.at(size));
        }
        // a frozen backbone's BatchNorm is a fixed affine map: fold it into the convolutions (ONNX models)
        loader.optFoldBatchNorm(config.mode() == Mode.TRANSFER);
        BackboneLoader backbones = loader.build();
        TrainingResult result = TrainingJob.builder()
                .setTrainData(data)
                .optValidationData(val)
                .setBackbone(() -> backbones.load(backbone != null ? backbone : backbones.registry().defaultName()))
                .setRunDir(out)
                .optConfig(config)
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

    /** This command's own arguments (without the global ones and "train" before them), for command.json. */
    private java.util.List<String> ownArguments() {
        java.util.List<String> all = spec.commandLine().getParseResult().originalArgs();
        int train = all.indexOf(spec.name());
        return all.subList(train + 1, all.size());
    }

    /** Repeats the command that started the run, continuing from its last checkpoint. */
    private static int resumeRun(Path run) throws Exception {
        Path command = run.resolve(TrainingJob.COMMAND_FILE);
        if (!Files.isRegularFile(command)) {
            throw new GraftException(run + " is not a run folder that can be resumed (it has no "
                    + TrainingJob.COMMAND_FILE + ").", "Give the --out folder of an earlier 'graft train'.");
        }
        String[] args = Json.mapper().readValue(command.toFile(), String[].class);
        TrainCommand again = new TrainCommand();
        new CommandLine(again).parseArgs(args);
        again.resuming = true;
        again.out = run;
        System.out.println("Resuming: graft train " + String.join(" ", args));
        return again.call();
    }

    /** Parses --mode with a clear message. */
    static final class Modes {
        private Modes() {
        }

        static Mode parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "transfer" -> Mode.TRANSFER;
                case "finetune", "fine-tune" -> Mode.FINETUNE;
                default -> throw new org.graft.common.GraftException("Unknown --mode '" + s + "'.",
                        "Use --mode transfer (backbone frozen) or --mode finetune (everything trains).");
            };
        }
    }
}
