package org.graft.train;

import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.data.Augmentation;
import org.graft.data.AugmentationSamples;
import org.graft.data.Grouping;
import org.graft.data.ImageLoader;
import org.graft.data.Split;
import org.graft.engine.Engine;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunClaim;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The whole of {@code graft train}, as an orchestrator of small steps: prepare the data ({@link DataPreparation}),
 * load the backbone and graft a head onto it ({@link HeadGrafter}), then train phase by phase ({@link PhasePlan},
 * {@link PhaseRunner}, with {@link TransferLoop} or {@link FineTuneLoop}) and write the final model, metrics and
 * skipped list. Everything it has to say goes to its {@link TrainingListener}s: with none added, a job prints
 * nothing. The run folder's own files are written by its built-in listeners ({@link RunFiles}, early stopping, the
 * UI recorder).
 *
 * <p>Builder: {@code setTrainData} (or {@code optSplit}), {@code setBackbone} and {@code setRunDir} are required.
 */
public final class TrainingJob {
    private static final int AUGMENTATION_SAMPLES = 3;

    private final Path trainData;
    private final Path validationData;
    private final Split givenSplit;
    private final Grouping grouping;
    private final Supplier<Backbone> backboneSource;
    private final TrainingRecipe.BackboneChoice backboneChoice;
    private final RunFolder run;
    private final TrainingConfig config;
    private final Engine engine;
    private final boolean splitFrozenTrunk;
    private final Path featureCacheRoot;
    private final boolean checkNearDuplicates;
    private final boolean resume;
    private final boolean overwrite;
    private final String madeBy;
    private final TrainingUi ui;
    private final boolean recordUiStats;
    private final List<String> commandLine;
    private final List<TrainingListener> userListeners;

    private TrainingJob(Builder b) {
        this.trainData = b.trainData;
        this.validationData = b.validationData;
        this.givenSplit = b.split;
        this.grouping = b.grouping == null ? Grouping.none() : b.grouping;
        this.backboneSource = b.backbone;
        this.backboneChoice = b.backboneChoice;
        this.run = RunFolder.at(b.runDir);
        this.config = b.config;
        this.engine = b.engine;
        this.splitFrozenTrunk = b.splitFrozenTrunk;
        this.featureCacheRoot = b.featureCacheRoot;
        this.checkNearDuplicates = b.checkNearDuplicates;
        this.resume = b.resume;
        this.overwrite = b.overwrite;
        this.madeBy = b.madeBy;
        this.ui = b.ui;
        this.recordUiStats = b.recordUiStats;
        this.commandLine = b.commandLine;
        this.userListeners = List.copyOf(b.listeners);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A job that runs {@code recipe} again (its data, backbone choice and training recipe); the backbone is loaded by the caller. */
    public static Builder builder(TrainingRecipe recipe) {
        Builder b = new Builder().setTrainData(recipe.trainPath()).optValidationData(recipe.validationPath())
                .optConfig(recipe.config()).optEngine(recipe.engine())
                .optCheckNearDuplicates(recipe.checkNearDuplicates()).optBackboneChoice(recipe.backbone());
        b.commandLine = recipe.commandLine();
        if (recipe.groupBy() != null) {
            b.optGrouping(Grouping.parse(recipe.groupBy()));
        }
        return b;
    }

    /**
     * Runs the job in its run folder, which it holds for the whole run ({@link RunClaim}: another Graft writing the
     * same folder is refused, a finished run is replaced only with {@code optOverwrite}); a run that fails before
     * its first epoch leaves the folder as it found it (a run it was replacing comes back).
     */
    public TrainingResult run() throws IOException {
        DataPreparation.refuseRunInsideData(run.dir(), trainData, validationData);
        RunClaim.Intent intent = resume ? RunClaim.Intent.RESUME
                : overwrite ? RunClaim.Intent.OVERWRITE : RunClaim.Intent.NEW_RUN;
        try (RunClaim claim = RunClaim.claim(run, intent, madeBy)) {
            TrainingResult result;
            try {
                result = train();
            } catch (IOException | RuntimeException | Error e) {
                if (!resume && !run.hasCheckpoint()) {
                    claim.abandon();
                }
                throw e;
            }
            claim.finish();
            return result;
        }
    }

    private TrainingResult train() throws IOException {
        long start = System.nanoTime();
        Listeners listeners = new Listeners(List.of(new RunFiles(run),
                new EarlyStoppingListener(config.monitor(), config.patience()))).with(userListeners);

        // 1. Data: scan, split, check; written down before anything slow happens
        PreparedData data = new DataPreparation(trainData, validationData, givenSplit, grouping, config,
                checkNearDuplicates, listeners).prepare(run, resume);

        // 2. Model: the backbone (loaded only now, so that a data mistake shows before a long download)
        Backbone backbone = backboneSource.get();
        if (!(config.mode() == Mode.FINETUNE && config.trainBatchNorm())) {
            // frozen BatchNorm statistics: a fixed affine map, folded into the convolution before it
            backbone = backbone.withBatchNormFolded();
        }
        if (givenSplit == null) {
            recipe(backbone).write(run);
        }
        double[] classWeights = config.classWeights().resolve(data.labels(), data.split().train().images());
        ComputationGraph classifier = HeadGrafter.graft(backbone, data.labels().size(), config, classWeights);
        var ready = new TrainingListener.ModelReady(backbone, config, data.labels().size(), classWeights,
                data.labels());
        listeners.tell(l -> l.onModelReady(ready));
        Augmentation augmentation = config.augmentation();
        ImageLoader loader = new ImageLoader(backbone.preprocessing(), augmentation);
        if (augmentation.isEnabled()) {
            AugmentationSamples.write(AugmentationSamples.onePerClass(data.split().train().images(),
                    AUGMENTATION_SAMPLES), augmentation, backbone.preprocessing(), run.file(RunFolder.AUGMENTATION),
                    4, config.seed());
        }
        if (ui != null || recordUiStats) {
            StatsStorage stats = ui != null ? ui.show(run.file(RunFolder.UI_STATS))
                    : TrainingUi.storage(run.file(RunFolder.UI_STATS));
            listeners = listeners.with(List.of(new UiRecorder(stats, config.uiStatsEvery())));
            if (ui != null) {
                listeners.notice(TrainingListener.Notice.Kind.TRAINING_UI, "Training UI: " + ui.url());
            }
        }

        // 3. Train, phase by phase, from the checkpoint when resuming
        RunState state = new RunState();
        ResumePoint resumed = resume ? ResumePoint.read(run) : null;
        if (resumed != null) {
            resumed.restore(state, run, classifier);
            listeners.notice(TrainingListener.Notice.Kind.RESUMED, resumed.describe(config.totalEpochs()));
        }
        LoopContext ctx = new LoopContext(config, data, loader, listeners);
        Provenance provenance = new Provenance(config, backbone, data, run, validationData != null);
        PhaseRunner runner = new PhaseRunner(config, listeners, state, provenance, run);
        int cacheHits = 0;
        int cacheRejected = 0;
        for (PhasePlan plan : PhasePlan.of(config)) {
            List<EpochStats> before = state.inPhase(plan.phase());
            if (before.size() >= plan.epochs()
                    || EarlyStopping.shouldStop(before, config.monitor(), config.patience())) {
                continue; // finished before an interruption
            }
            boolean midPhase = resumed != null && resumed.phase() == plan.phase() && !before.isEmpty();
            if (!midPhase && state.bestParams != null) {
                // a new phase starts from the best weights so far, not the last
                classifier.setParams(state.bestParams);
            }
            EpochLoop loop = newLoop(ctx, backbone, classifier, plan, before.size());
            if (midPhase && loop instanceof TrunkFineTuneLoop
                    && loop.learningGraph().numParams() != resumed.learningGraph().numParams()) {
                // the checkpoint holds the whole graph (a run started before frozen trunks were split off)
                loop.close();
                loop = new FineTuneLoop(ctx, classifier, plan, before.size());
            }
            if (midPhase) {
                loop.restore(resumed.learningGraph());
            }
            provenance.recordEngines(plan.phase(), loop.engines());
            if (loop instanceof TransferLoop t) {
                cacheHits = t.cacheHits();
                cacheRejected = t.cacheRejected();
            }
            if (plan.phase() == TrainingPhase.FINETUNE) {
                for (String note : TrainableLayers.describe(loop.classifier(), config)) {
                    listeners.notice(TrainingListener.Notice.Kind.TRAINABLE_LAYERS, note);
                }
            }
            try {
                runner.run(plan, loop, before.size());
            } finally {
                loop.close();
            }
            // an engine left open by the loop's constructor is decided by its first batch
            provenance.recordEngines(plan.phase(), loop.engines());
            classifier = loop.classifier();
        }

        // 4. Keep the best epoch's weights; write the final model, metrics and skipped list
        classifier.setParams(state.bestParams);
        EvaluationReport report = state.bestReport != null ? state.bestReport : ctx.validate(classifier);
        ModelDescription description = provenance.describe(state.bestEpoch(), state.history.size(), report,
                state.trainSeconds());
        ModelBundle bundle = new ModelBundle(classifier, description);
        run.writeModel(bundle);
        run.writeMetrics(report);
        run.writeSkipped(data.skipped());
        if (data.skipped().size() > 0) {
            listeners.notice(TrainingListener.Notice.Kind.SKIPPED, String.format(Locale.ROOT,
                    "Skipped %d unreadable file(s); see %s", data.skipped().size(), run.file(RunFolder.SKIPPED)));
        }
        TrainingResult result = new TrainingResult(run.dir(), bundle, report, List.copyOf(state.history),
                state.bestEpoch(), (System.nanoTime() - start) / 1e9, data.skipped().size(), cacheHits,
                cacheRejected, data.nearDuplicates().size());
        listeners.tell(l -> l.onTrainingEnd(result));
        return result;
    }

    private EpochLoop newLoop(LoopContext ctx, Backbone backbone, ComputationGraph classifier, PhasePlan plan,
                              int epochsDone) {
        if (plan.onFeatures()) {
            return new TransferLoop(ctx, backbone, classifier, plan, epochsDone, engine, featureCacheRoot);
        }
        if (splitFrozenTrunk && config.unfreeze() != TrainingConfig.ALL_BLOCKS) {
            // only the blocks that learn are fitted; the frozen ones run forward, once per image if they can
            EpochLoop partial = TrunkFineTuneLoop.create(ctx, backbone, classifier, plan, epochsDone, engine,
                    featureCacheRoot);
            if (partial != null) {
                return partial;
            }
        }
        return new FineTuneLoop(ctx, classifier, plan, epochsDone);
    }

    /** What recipe.json records: enough to make this run again. */
    private TrainingRecipe recipe(Backbone backbone) {
        // what was chosen, completed with what loading it resolved, so that a rerun need not guess again
        TrainingRecipe.BackboneChoice choice = new TrainingRecipe.BackboneChoice(
                backboneChoice != null ? backboneChoice.nameOrFile() : backbone.source().toString(),
                backboneChoice != null && backboneChoice.preprocessing() != null ? backboneChoice.preprocessing()
                        : backbone.preprocessing(),
                backboneChoice != null && backboneChoice.featureLayer() != null ? backboneChoice.featureLayer()
                        : backbone.featureLayer());
        return new TrainingRecipe(trainData.toAbsolutePath().normalize().toString(),
                validationData == null ? null : validationData.toAbsolutePath().normalize().toString(),
                grouping.spec(), choice, config, engine, checkNearDuplicates, commandLine);
    }

    /** Builder: {@code setTrainData} (or {@code optSplit}), {@code setBackbone} and {@code setRunDir} are required. */
    public static final class Builder {
        private Path trainData;
        private Path validationData;
        private Split split;
        private Grouping grouping;
        private Supplier<Backbone> backbone;
        private TrainingRecipe.BackboneChoice backboneChoice;
        private Path runDir;
        private TrainingConfig config = TrainingConfig.defaults();
        private Engine engine = Engine.AUTO;
        private boolean splitFrozenTrunk = true;
        private Path featureCacheRoot;
        private boolean checkNearDuplicates = true;
        private boolean resume;
        private boolean overwrite;
        private String madeBy = "train";
        private TrainingUi ui;
        private boolean recordUiStats;
        private List<String> commandLine = List.of();
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {
        }

        public Builder setTrainData(Path dir) {
            this.trainData = dir;
            return this;
        }

        /** A folder already split off for validation; without it, the training folder is split. */
        public Builder optValidationData(Path dir) {
            this.validationData = dir;
            return this;
        }

        /**
         * Uses this split instead of scanning and splitting (a cross-validation fold); then {@code setTrainData}
         * is not needed, and the run writes no recipe.json (it cannot be resumed on its own).
         */
        public Builder optSplit(Split split) {
            this.split = split;
            return this;
        }

        /** Keeps each group of images (a page, a volume) on one side of the split; null or none for no groups. */
        public Builder optGrouping(Grouping grouping) {
            this.grouping = grouping;
            return this;
        }

        public Builder setBackbone(Backbone backbone) {
            this.backbone = () -> backbone;
            return this;
        }

        /** A backbone to load once the data has been checked (loading may mean a download). */
        public Builder setBackbone(Supplier<Backbone> loader) {
            this.backbone = loader;
            return this;
        }

        /**
         * How the backbone was chosen (a registry name, a file, a preprocessing), as recipe.json should record it;
         * default: the loaded backbone's file, preprocessing and feature layer.
         */
        public Builder optBackboneChoice(TrainingRecipe.BackboneChoice choice) {
            this.backboneChoice = choice;
            return this;
        }

        public Builder setRunDir(Path dir) {
            this.runDir = dir;
            return this;
        }

        public Builder optConfig(TrainingConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Whether {@code --unfreeze N} fine-tuning fits only the blocks that learn, with the frozen ones run forward
         * apart ({@link TrunkFineTuneLoop}; default true). False trains the whole graph as one: the same steps,
         * slower, for comparison.
         */
        public Builder optSplitFrozenTrunk(boolean split) {
            this.splitFrozenTrunk = split;
            return this;
        }

        /**
         * What runs the frozen passes (transfer-mode features, the frozen trunk of {@code --unfreeze N}):
         * {@link Engine#AUTO} (default: ONNX Runtime where its first batch matches DL4J's), DL4J, or ONNX Runtime
         * unchecked. Training is always DL4J's.
         */
        public Builder optEngine(Engine engine) {
            this.engine = engine;
            return this;
        }

        /** Keep transfer-mode features in this folder and reuse them in later runs (null: no cache). */
        public Builder optFeatureCache(Path root) {
            this.featureCacheRoot = root;
            return this;
        }

        /** Whether to look for near-duplicates across the split (perceptual hashes; on by default). */
        public Builder optCheckNearDuplicates(boolean check) {
            this.checkNearDuplicates = check;
            return this;
        }

        /**
         * Continues the run in {@code runDir} from its last checkpoint (after an interruption, even a kill -9),
         * exactly where it stopped: the epochs in its checkpoint are not repeated, and the run ends with the same
         * history and weights as one never interrupted. Without a checkpoint the run starts from the beginning.
         */
        public Builder optResume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /**
         * Lets the run replace an earlier run in its folder (or write into a folder Graft did not make); without it
         * such a folder is refused. The earlier run's files are replaced one by one as the new run writes them.
         */
        public Builder optOverwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /**
         * The command that makes the run, recorded in the folder's marker ("train" by default): a new run may
         * replace an earlier one made by the same command without {@code optOverwrite} (the demo's own run).
         */
        public Builder optMadeBy(String command) {
            this.madeBy = command;
            return this;
        }

        /** Show the run in this training UI (null: none); the caller starts and closes it. */
        public Builder optUi(TrainingUi ui) {
            this.ui = ui;
            return this;
        }

        /**
         * Records the run's statistics for DL4J's UI ({@link RunFolder#UI_STATS}) even without a live UI, so that
         * {@code graft ui RUN} can show it later.
         */
        public Builder optRecordUiStats(boolean record) {
            this.recordUiStats = record;
            return this;
        }

        /** The command line that started the run, recorded in recipe.json for a person to read. */
        public Builder optCommandLine(List<String> arguments) {
            this.commandLine = List.copyOf(arguments);
            return this;
        }

        /** Adds a listener, called after the job's own, in the order added. */
        public Builder addListener(TrainingListener listener) {
            this.listeners.add(listener);
            return this;
        }

        public TrainingJob build() {
            if ((trainData == null && split == null) || backbone == null || runDir == null) {
                throw new IllegalStateException("setTrainData (or optSplit), setBackbone and setRunDir are required");
            }
            return new TrainingJob(this);
        }
    }
}
