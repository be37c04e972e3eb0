package org.graft.cli;

import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneLoader;
import org.graft.common.BadOptionException;
import org.graft.data.Grouping;
import org.graft.engine.Engine;
import org.graft.model.run.RunFolder;
import org.graft.report.RunReport;
import org.graft.train.CrossValidation;
import org.graft.train.Mode;
import org.graft.train.TrainingConfig;
import org.graft.train.TrainingJob;
import org.graft.train.TrainingRecipe;
import org.graft.train.TrainingResult;
import org.graft.train.TrainingUi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = TrainingDefaults.class,
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
                "  graft train --resume runs/mine --epochs 20               (and train longer)",
                "  graft train --rerun runs/mine                            (the same run again, to check it)"})
public final class TrainCommand implements Callable<Integer> {
    /** What may come with --resume: how to run, and a longer --epochs; the recipe itself is the run's own. */
    private static final Set<String> WITH_RESUME = Set.of("--resume", "--epochs", "--no-progress", "--no-cache",
            "--ui", "--ui-host", "--ui-port", "--models-dir", "--datasets-dir", "--offline", "--debug");
    /** What may come with --rerun: where to write it, and how to run. */
    private static final Set<String> WITH_RERUN = Set.of("--rerun", "--out", "--overwrite", "--no-progress",
            "--no-cache", "--models-dir", "--datasets-dir", "--offline", "--debug");

    @Option(names = "--data", paramLabel = "DIR",
            description = "Training images, one sub-folder per class (required, except with --resume).")
    Path data;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue an interrupted run (Ctrl-C, a crash, kill -9, a full disk) from its last "
                    + "checkpoint, exactly as it would have gone on, with the recipe it was started with "
                    + "(recipe.json); --epochs may make it longer.")
    Path resume;

    @Option(names = "--rerun", paramLabel = "RUN",
            description = "Run an earlier training again from its recipe.json (into --out, default RUN-rerun) and "
                    + "say whether the split, history and metrics came out the same.")
    Path rerun;

    @Spec
    CommandSpec spec;

    @Option(names = "--val", paramLabel = "DIR",
            description = "Validation images, already split off (same class folders). "
                    + "Without it, --data is split (stratified, seeded).")
    Path val;

    @Option(names = "--backbone", paramLabel = "NAME|FILE", description = "Registry name, Keras .h5 file or ONNX file "
            + "(default: the registry's default, efficientnet-b0; see 'graft inspect --list').")
    String backbone;

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

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/latest",
            description = "Run folder for the model, metrics and logs (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--ui", description = "Show DL4J's training UI in the browser (http://127.0.0.1:9000).")
    boolean ui;

    @Option(names = "--ui-host", defaultValue = TrainingUi.DEFAULT_HOST, paramLabel = "ADDRESS",
            description = "Address the UI listens on (default: ${DEFAULT-VALUE}, this computer only; 0.0.0.0 "
                    + "shares it with the network).")
    String uiHost;

    @Option(names = "--ui-port", defaultValue = "" + TrainingUi.DEFAULT_PORT,
            description = "Port of the UI (default: ${DEFAULT-VALUE}).")
    int uiPort;

    @Option(names = "--feature-layer", paramLabel = "LAYER",
            description = "Layer whose output feeds the new head (default: the backbone's own, or detected).")
    String featureLayer;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|dl4j|onnxruntime",
            description = "What runs the frozen passes (transfer-mode features, the frozen trunk below --unfreeze "
                    + "N): auto = ONNX Runtime on a CPU where its first batch matches DL4J's to 1e-4 (else DL4J, "
                    + "with a warning), DL4J on a GPU; dl4j; or onnxruntime unchecked. DL4J always trains "
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
    TrainingOptions options;

    @Mixin
    RunOptions run;

    @Mixin
    OverwriteOption overwrite;

    @Mixin
    Workspace workspace;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            return resumeRun(resume);
        }
        if (rerun != null) {
            return rerunRun(rerun);
        }
        if (data == null) {
            throw new BadOptionException("Missing --data.", "Give the folder of training images, one sub-folder per "
                    + "class: graft train --data my-images (or --resume RUN to continue a run).");
        }
        TrainingConfig config = options.config();
        Grouping grouping = groupBy == null ? null : Grouping.parse(groupBy);
        Engine engineKind = Engine.parse(engine);
        BackboneLoader loader = workspace.backboneLoader().build();
        String backboneName = backbone != null ? backbone : loader.registry().defaultName();
        TrainingRecipe.BackboneChoice choice = new TrainingRecipe.BackboneChoice(
                loader.registry().contains(backboneName) ? backboneName : Path.of(backboneName).toAbsolutePath()
                        .toString(), preprocess == null ? null : preprocess.at(size), featureLayer);
        if (folds != null) {
            return crossValidate(config, grouping, engineKind, choice);
        }
        TrainingJob.Builder job = TrainingJob.builder().setTrainData(data).optValidationData(val)
                .optConfig(config).optGrouping(grouping).optCheckNearDuplicates(!noDuplicateCheck)
                .optEngine(engineKind).optBackboneChoice(choice).optCommandLine(ownArguments());
        return train(job, out, choice, config);
    }

    /** Runs a job with this invocation's way of running (console, UI, cache) and prints the result. */
    private int train(TrainingJob.Builder job, Path runDir, TrainingRecipe.BackboneChoice choice,
                      TrainingConfig config) throws Exception {
        job.setRunDir(runDir).setBackbone(backboneSource(choice, config)).optFeatureCache(run.featureCache(workspace))
                .optOverwrite(overwrite.overwrite).addListener(new ConsoleReporter(System.out, run.progressBars()));
        // Ctrl-C (or a plain kill) ends the JVM through its shutdown hooks: say how to go on from the checkpoint
        Thread sayHowToResume = new Thread(() -> System.err.println("\nInterrupted. The run continues from its "
                + "last finished epoch with: graft train --resume " + runDir));
        Runtime.getRuntime().addShutdownHook(sayHowToResume);
        TrainingResult result;
        try (TrainingUi trainingUi = ui ? TrainingUi.start(uiHost, uiPort) : null) {
            try {
                result = job.optUi(trainingUi).build().run();
            } finally {
                quietlyRemove(sayHowToResume);
            }
            System.out.println();
            System.out.println(result.validation().toTable());
            System.out.println("Report: " + RunReport.write(result.runDir()).toAbsolutePath());
            if (trainingUi != null) {
                UiCommand.waitWhileUiOpen();
            }
        }
        return 0;
    }

    private static void quietlyRemove(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already going down: the hook has its say
        }
    }

    /** The backbone the choice names, loaded once the data is known to be usable. */
    private Supplier<Backbone> backboneSource(TrainingRecipe.BackboneChoice choice, TrainingConfig config) {
        BackboneLoader.Builder loader = workspace.backboneLoader();
        if (choice.featureLayer() != null) {
            loader.optFeatureLayer(choice.featureLayer());
        }
        if (choice.preprocessing() != null) {
            loader.optPreprocessing(choice.preprocessing());
        }
        // frozen BatchNorm (a frozen backbone, or fine-tuning by default) is a fixed affine map: folded into the
        // convolutions
        loader.optFoldBatchNorm(!(config.mode() == Mode.FINETUNE && config.trainBatchNorm()));
        BackboneLoader backbones = loader.build();
        return () -> backbones.load(choice.nameOrFile());
    }

    private int crossValidate(TrainingConfig config, Grouping grouping, Engine engineKind,
                              TrainingRecipe.BackboneChoice choice) throws Exception {
        if (val != null) {
            throw new BadOptionException("--folds and --val do not go together.",
                    "Cross-validation makes its own validation folds from --data; drop --val.");
        }
        CrossValidation.Result cv = CrossValidation.builder().setTrainData(data)
                .setBackbone(backboneSource(choice, config)).setRunDir(out).setFolds(folds).optConfig(config)
                .optGrouping(grouping).optOverwrite(overwrite.overwrite)
                .addListener(new ConsoleReporter(System.out, run.progressBars()))
                .optJob(job -> job.optFeatureCache(run.featureCache(workspace)).optEngine(engineKind)
                        .optCheckNearDuplicates(!noDuplicateCheck))
                .build().run();
        System.out.println();
        System.out.println(cv.table());
        System.out.println("Folds: " + cv.runDir().resolve(CrossValidation.SUMMARY_FILE));
        return 0;
    }

    /** This command's own arguments (without the global ones and "train" before them), for recipe.json. */
    private List<String> ownArguments() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int train = all.indexOf(spec.name());
        return all.subList(train + 1, all.size());
    }

    /** Continues an interrupted run from its checkpoint, with the recipe it was started with. */
    private int resumeRun(Path runDir) throws Exception {
        refuseOtherOptions(WITH_RESUME, "--resume", "continues a run with the recipe it was started with "
                + "(recipe.json); only --epochs may make it longer");
        TrainingRecipe recipe = TrainingRecipe.read(RunFolder.at(runDir), "resumed");
        int epochs = options.epochs;
        if (given("--epochs") && epochs != recipe.config().epochs()) {
            if (epochs < recipe.config().epochs()) {
                throw new BadOptionException("--epochs " + epochs + " with --resume is fewer than the run's own "
                        + recipe.config().epochs() + ".", "Give a larger number to train longer, or leave --epochs "
                        + "out to finish the run as planned.");
            }
            recipe = recipe.withConfig(recipe.config().toBuilder().optEpochs(epochs).build());
            System.out.printf(Locale.ROOT, "Resuming %s with --epochs %d%n", runDir, epochs);
        } else {
            System.out.println("Resuming " + runDir + " with its recipe (" + RunFolder.RECIPE + ")");
        }
        return train(TrainingJob.builder(recipe).optResume(true), runDir, recipe.backbone(), recipe.config());
    }

    /**
     * Runs the recipe of an earlier run again into a new folder, and compares: the same data, seed and software
     * must give the same split and the same metrics.
     */
    private int rerunRun(Path runDir) throws Exception {
        refuseOtherOptions(WITH_RERUN, "--rerun", "repeats a run with the recipe it was started with");
        TrainingRecipe recipe = TrainingRecipe.read(RunFolder.at(runDir), "rerun");
        Path target = given("--out") ? out : runDir.resolveSibling(runDir.getFileName() + "-rerun");
        if (target.toAbsolutePath().normalize().equals(runDir.toAbsolutePath().normalize())) {
            throw new BadOptionException("--rerun would overwrite " + runDir + ".", "Give another --out folder.");
        }
        System.out.println("Rerunning " + runDir + " from its " + RunFolder.RECIPE + " into " + target);
        int code = train(TrainingJob.builder(recipe), target, recipe.backbone(), recipe.config());
        RerunComparison cmp = RerunComparison.compare(RunFolder.at(runDir), RunFolder.at(target));
        System.out.println(cmp.message());
        return code;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private void refuseOtherOptions(Set<String> allowed, String mainOption, String why) {
        List<String> others = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(o -> o.longestName()).filter(n -> !allowed.contains(n)).distinct().sorted().toList();
        if (!others.isEmpty()) {
            throw new BadOptionException(mainOption + " " + why + ": " + String.join(", ", others)
                    + (others.size() == 1 ? " does" : " do") + " not go with it.",
                    "Leave " + String.join(", ", others) + " out, or start a new run with another --out. With "
                            + mainOption + " you may give " + String.join(", ", allowed.stream().filter(
                            n -> !n.equals(mainOption)).sorted().toList()) + ".");
        }
    }
}
