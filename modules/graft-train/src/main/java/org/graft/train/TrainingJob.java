package org.graft.train;

import org.graft.common.BadOptionException;
import org.graft.common.BadDataException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.common.AtomicFiles;
import org.graft.common.Checksums;
import org.graft.common.GraftException;
import org.graft.common.Json;
import org.graft.common.Versions;
import org.graft.data.ImageBatchIterator;
import org.graft.data.PrefetchingLoader;
import org.graft.engine.Engine;
import org.graft.engine.InferenceEngine;
import org.graft.data.ImageFolder;
import org.graft.data.SkippedImage;
import org.graft.data.ImageEntry;
import org.graft.data.ImageLoader;
import org.graft.data.SkipLog;
import org.graft.data.Split;
import org.graft.evaluate.EvaluationReport;
import org.graft.evaluate.Evaluator;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.graft.data.Augmentation;
import org.graft.data.AugmentationSamples;
import org.graft.data.Grouping;
import org.graft.data.NearDuplicates;
import org.graft.model.schedule.WarmupSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import java.util.function.Supplier;

/**
 * The whole of {@code graft train}: scan and split the data, graft a head onto the backbone, train with progress
 * and validation each epoch, keep the best model, and write the run folder.
 *
 * <p>In transfer mode the frozen backbone's output for each image does not change between epochs, so it is
 * computed once and only the head is trained on it: each epoch then
 * costs a fraction of a forward pass.
 *
 * <p>Builder: {@code setTrainData}, {@code setBackbone} and {@code setRunDir} are required.
 */
public final class TrainingJob {
    private final Path trainData;
    private final Path validationData;
    private final Supplier<Backbone> backboneSource;
    private Backbone backbone;
    private final Path runDir;
    private final TrainingConfig config;
    private final boolean showProgress;
    private final UiAddress ui;
    private final PrintStream out;
    private final Path featureCacheRoot;
    private final Engine engine;
    private final boolean resume;
    private final List<String> arguments;
    private final Grouping grouping;
    private final Split givenSplit;
    private final boolean checkNearDuplicates;
    private int cacheHits;
    private int cacheRejected;

    private TrainingJob(Builder b) {
        this.trainData = b.trainData;
        this.validationData = b.validationData;
        this.backboneSource = b.backbone;
        this.runDir = b.runDir.toAbsolutePath();
        this.config = b.config.validated();
        this.showProgress = b.showProgress;
        this.engine = b.engine;
        this.resume = b.resume;
        this.arguments = b.arguments;
        this.ui = b.ui;
        this.out = b.out;
        this.featureCacheRoot = b.featureCacheRoot;
        this.grouping = b.grouping;
        this.givenSplit = b.split;
        this.checkNearDuplicates = b.checkNearDuplicates;
    }

    /** The arguments of the `graft train` that made a run folder: what `graft train --resume` repeats. */
    public static final String COMMAND_FILE = "command.json";
    /** Validation images that look like training images, when there are any. */
    public static final String NEAR_DUPLICATES_FILE = "near-duplicates.csv";
    /** Sample augmented images, for the report. */
    public static final String AUGMENTATION_DIR = "augmentation";
    private static final int AUGMENTATION_SAMPLES = 3;

    public static Builder builder() {
        return new Builder();
    }

    public TrainingResult run() throws IOException {
        long start = System.nanoTime();
        // one seed for everything ND4J draws (dropout masks, initialisation): the same seed, the same run
        Nd4j.getRandom().setSeed(config.seed());
        SkipLog skipLog = new SkipLog();

        // 1. Data: scan, split (groups kept whole), manifest, near-duplicate check
        Split split = split(skipLog);
        // the run folder appears only once the data is known to be usable
        Files.createDirectories(runDir);
        if (arguments != null) {
            Json.write(runDir.resolve(COMMAND_FILE), new Command(arguments,
                    Path.of("").toAbsolutePath().toString(), Versions.current()));
        }
        Path manifest = runDir.resolve(Split.MANIFEST_NAME);
        split.writeManifest(manifest);
        List<String> labels = split.labels();
        AtomicFiles.write(runDir.resolve("labels.txt"),
                (String.join("\n", labels) + "\n").getBytes(StandardCharsets.UTF_8));
        out.printf(Locale.ROOT, "Data: %d classes %s; %d training and %d validation images (split.csv)%s%n",
                labels.size(), split.train().countsByLabel(), split.train().images().size(),
                split.validation().images().size(),
                grouping == null ? "" : "; groups kept whole: " + grouping.describe());
        if (split.validation().images().isEmpty()) {
            throw new BadDataException("No validation images: every class has a single image.",
                    "Add images (at least two per class) or give a validation folder with --val.");
        }
        int nearDuplicates = checkNearDuplicates(split);

        // 2. Model: the backbone (loaded only now, so that a data mistake shows before a long download)
        backbone = backboneSource.get();
        if (!(config.mode() == Mode.FINETUNE && config.trainBatchNorm())) {
            // frozen BatchNorm statistics: a fixed affine map, folded into the convolution before it
            backbone = backbone.withBatchNormFolded();
        }
        double[] classWeights = ClassWeights.resolve(config.classWeights(), labels, split.train().images());
        ComputationGraph graph = HeadGrafter.graft(backbone, labels.size(), config, classWeights);
        out.printf(Locale.ROOT, "Model: %s, %s mode, new head on '%s' (%d features -> %d classes)%n",
                backbone.name(), config.mode().cliName(), backbone.featureLayer(),
                backbone.featureSize(), labels.size());
        if (classWeights != null) {
            out.println("Class weights: " + ClassWeights.describe(classWeights, labels));
        }
        Augmentation augmentation = Augmentation.parse(config.augmentation());
        ImageLoader loader = new ImageLoader(backbone.preprocessing(), augmentation);
        if (augmentation.isEnabled()) {
            out.println("Augmentation: " + augmentation.describe());
            writeAugmentationSamples(split, augmentation);
        }

        TrainingUi trainingUi = null;
        if (ui != null) {
            trainingUi = TrainingUi.start(runDir, ui.host(), ui.port());
            out.println("Training UI: " + trainingUi.url());
        }

        // 3. Train, phase by phase, keeping the best epoch's weights
        Training t = new Training(graph);
        Path checkpoint = runDir.resolve("checkpoints").resolve("last.zip");
        INDArray lastParams = null;
        if (resume && Files.exists(checkpoint) && Files.exists(runDir.resolve("history.json"))
                && Files.exists(runDir.resolve(ModelBundle.FILE_NAME))) {
            // the checkpoint and history are written together at the end of each epoch (each atomically, the
            // checkpoint first), so the history may be one epoch short of the checkpoint but never ahead of it
            ModelBundle last = ModelBundle.load(checkpoint);
            List<EpochStats> recorded = List.of(Json.mapper().readValue(runDir.resolve("history.json").toFile(),
                    EpochStats[].class));
            int done = Math.min(last.description().training().epochs(), recorded.size());
            t.history.addAll(recorded.subList(0, done));
            ModelBundle best = ModelBundle.load(runDir.resolve(ModelBundle.FILE_NAME));
            t.bestEpoch = best.description().training().bestEpoch();
            t.best = t.history.stream().filter(s -> s.epoch() == t.bestEpoch).findFirst().orElse(null);
            t.bestParams = best.graph().params().dup();
            lastParams = last.graph().params().dup();
            t.trainSeconds = t.history.stream().mapToDouble(EpochStats::seconds).sum();
            out.printf(Locale.ROOT, "Resuming after epoch %d of %d (best so far: epoch %d)%n", done,
                    config.totalEpochs(), t.bestEpoch);
        }
        for (Phase phase : Phase.plan(config, augmentation.isEnabled())) {
            List<EpochStats> before = t.history.stream().filter(s -> s.phase().equals(phase.name())).toList();
            if (before.size() >= phase.epochs()
                    || EarlyStopping.shouldStop(before, config.monitor(), config.patience())) {
                continue; // finished before an interruption
            }
            if (before.isEmpty() && t.bestParams != null) {
                // a new phase starts from the best weights so far, not the last
                t.graph.setParams(t.bestParams);
            } else if (lastParams != null) {
                t.graph.setParams(lastParams);
            }
            EpochLoop loop = phase.onFeatures()
                    ? new TransferLoop(t.graph, split, loader, skipLog, labels, trainingUi, phase, before.size())
                    : new FineTuneLoop(t.graph, split, loader, skipLog, labels, trainingUi, phase, before.size());
            t.graph = loop.graph();
            if (phase.name().equals(Phase.FINETUNE)) {
                reportTrainableLayers(t.graph);
            }
            runPhase(t, loop, phase, before.size(), labels, split, manifest, skipLog);
        }

        // 4. Keep the best epoch's weights; write the final model, metrics and skipped list
        t.graph.setParams(t.bestParams);
        EvaluationReport bestReport = t.bestReport != null ? t.bestReport : validateWith(t.graph, split, loader,
                skipLog, labels);
        ModelDescription description = describe(labels, split, manifest, t.bestEpoch, t.history.size(), bestReport,
                t.trainSeconds, skipLog);
        ModelBundle bundle = save(t.graph, description);
        bestReport.writeJson(runDir.resolve("metrics.json"));
        skipLog.write(runDir.resolve(SkipLog.FILE_NAME));
        if (skipLog.size() > 0) {
            out.printf(Locale.ROOT, "Skipped %d unreadable file(s); see %s%n", skipLog.size(),
                    runDir.resolve(SkipLog.FILE_NAME));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "Best epoch %d: val accuracy %.4f, macro F1 %.4f. Model: %s (%.1f s in all)%n",
                t.bestEpoch, bestReport.accuracy(), bestReport.macroF1(), runDir.resolve(ModelBundle.FILE_NAME),
                seconds);
        return new TrainingResult(runDir, bundle, bestReport, List.copyOf(t.history), t.bestEpoch, seconds,
                skipLog.size(), cacheHits, cacheRejected, nearDuplicates);
    }

    /** The state of a run across its phases. */
    private static final class Training {
        ComputationGraph graph;
        final List<EpochStats> history = new ArrayList<>();
        EpochStats best;
        int bestEpoch;
        INDArray bestParams;
        EvaluationReport bestReport;
        double trainSeconds;

        Training(ComputationGraph graph) {
            this.graph = graph;
        }
    }

    /** The epochs of one phase, with validation, best-model keeping, checkpoints and early stopping. */
    private void runPhase(Training t, EpochLoop loop, Phase phase, int alreadyDone, List<String> labels, Split split,
                          Path manifest, SkipLog skipLog) throws IOException {
        List<EpochStats> inPhase = new ArrayList<>(
                t.history.stream().filter(s -> s.phase().equals(phase.name())).toList());
        for (int e = alreadyDone + 1; e <= phase.epochs(); e++) {
            int epoch = t.history.size() + 1;
            long t0 = System.nanoTime();
            double[] trainLossAcc = loop.trainEpoch(epoch);
            if (!Double.isFinite(trainLossAcc[0])) {
                // the best model so far is already on disk; nothing more can be learnt from here
                throw new BadOptionException("Training diverged in epoch " + epoch + " (" + phase.name()
                        + " phase): the loss is " + trainLossAcc[0] + ". The best model so far (epoch "
                        + t.bestEpoch + ") is kept in " + runDir.resolve(ModelBundle.FILE_NAME) + ".",
                        "Lower the learning rate (--lr, --backbone-lr), or fine-tune with --train-batchnorm.");
            }
            EvaluationReport report = loop.validate();
            double secs = (System.nanoTime() - t0) / 1e9;
            t.trainSeconds += secs;
            EpochStats stats = new EpochStats(epoch, phase.name(), trainLossAcc[0], trainLossAcc[1],
                    report.logLoss(), report.accuracy(), report.macroF1(), loop.learningRate(), secs);
            t.history.add(stats);
            inPhase.add(stats);
            boolean better = EarlyStopping.better(stats, t.best, config.monitor());
            out.printf(Locale.ROOT, "Epoch %d/%d (%s): train loss %.4f%s, val loss %.4f, val accuracy %.4f, "
                            + "macro F1 %.4f (%.1f s)%s%n",
                    epoch, config.totalEpochs(), phase.name(), stats.trainLoss(),
                    Double.isNaN(stats.trainAccuracy()) ? "" : String.format(Locale.ROOT, ", train accuracy %.4f",
                            stats.trainAccuracy()),
                    stats.validationLoss(), stats.validationAccuracy(), stats.validationMacroF1(), secs,
                    better ? "  * best so far" : "");
            if (better) {
                t.bestParams = loop.graph().params().dup();
                t.bestReport = report;
                t.best = stats;
                t.bestEpoch = epoch;
            }
            ModelDescription now = describe(labels, split, manifest, t.bestEpoch, epoch, report, t.trainSeconds,
                    skipLog);
            if (better) {
                // the best model so far is always on disk, so an interrupted run still leaves a usable model
                save(loop.graph(), now);
            }
            writeCheckpoint(loop.graph(), now);
            Json.write(runDir.resolve("history.json"), t.history);
            if (e < phase.epochs() && EarlyStopping.shouldStop(inPhase, config.monitor(), config.patience())) {
                out.printf(Locale.ROOT, "Early stop: %s has not improved for %d epochs%n",
                        config.monitor().cliName(), config.patience());
                break;
            }
        }
    }

    /** A validation pass of a graph whose history came from disk (a run resumed after its last epoch). */
    private EvaluationReport validateWith(ComputationGraph graph, Split split, ImageLoader loader, SkipLog skipLog,
                                          List<String> labels) {
        ImageBatchIterator valIt = ImageBatchIterator.builder().setImages(split.validation().images())
                .setLabels(labels).setLoader(loader).optBatchSize(config.inferenceBatch()).optSkipLog(skipLog).build();
        return Evaluator.evaluate(labels, valIt, x -> graph.outputSingle(false, x));
    }

    /** The split: the one given (cross-validation folds), two folders, or the training folder split by seed. */
    private Split split(SkipLog skipLog) {
        if (givenSplit != null) {
            return givenSplit;
        }
        ImageFolder folder = ImageFolder.scanForTraining(trainData);
        skipLog.addAll(folder.skipped());
        if (validationData != null) {
            ImageFolder val = ImageFolder.scan(validationData);
            skipLog.addAll(val.skipped());
            return Split.given(folder, val);
        }
        if (grouping != null && !grouping.isNone()) {
            int unmatched = grouping.countUnmatched(folder.root(), folder.images());
            if (unmatched > 0) {
                out.printf(Locale.ROOT, "Note: %d of %d images matched no group of %s; each is a group of its own%n",
                        unmatched, folder.images().size(), grouping.describe());
            }
        }
        return Split.stratified(folder, config.validationFraction(), config.seed(),
                grouping == null ? Grouping.none() : grouping);
    }

    /**
     * Near-duplicates across the split (cut-outs of one page, re-scans) make validation figures look better than
     * they are: they are listed in near-duplicates.csv and warned about.
     */
    private int checkNearDuplicates(Split split) throws IOException {
        if (!checkNearDuplicates) {
            return 0;
        }
        List<NearDuplicates.Pair> pairs = NearDuplicates.find(split.train().images(), split.validation().images(),
                NearDuplicates.DEFAULT_MAX_DISTANCE);
        Path file = runDir.resolve(NEAR_DUPLICATES_FILE);
        Files.deleteIfExists(file);
        if (!pairs.isEmpty()) {
            NearDuplicates.writeCsv(pairs, file);
            long images = pairs.stream().map(NearDuplicates.Pair::validation).distinct().count();
            out.printf(Locale.ROOT, "Warning: %d validation image(s) look like near-duplicates of training images "
                            + "(e.g. %s ~ %s); validation figures may be too good. See %s; keep related images "
                            + "together with --group-by.%n", images, pairs.get(0).validation().getFileName(),
                    pairs.get(0).training().getFileName(), NEAR_DUPLICATES_FILE);
        }
        return pairs.size();
    }

    private void writeAugmentationSamples(Split split, Augmentation augmentation) throws IOException {
        // one image of each of the first classes, so the samples show the variety
        List<Path> images = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ImageEntry e : split.train().images()) {
            if (images.size() < AUGMENTATION_SAMPLES && seen.add(e.label())) {
                images.add(e.path());
            }
        }
        Path dir = runDir.resolve(AUGMENTATION_DIR);
        AugmentationSamples.write(images, augmentation, backbone.preprocessing(), dir, 4, config.seed());
    }

    /** Says how much of the network learns, and warns about BatchNorm that could not be frozen by folding. */
    private void reportTrainableLayers(ComputationGraph graph) {
        int frozen = 0;
        int learning = 0;
        int batchNorm = 0;
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            var conf = layer.conf().getLayer();
            if (layer.numParams() == 0) {
                continue;
            }
            if (layer instanceof org.deeplearning4j.nn.layers.FrozenLayer) {
                frozen++;
            } else {
                learning++;
                batchNorm += conf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization ? 1 : 0;
            }
        }
        out.printf(Locale.ROOT, "Fine-tuning: %d layers learn (backbone lr %.2g, head lr %.2g, %s schedule, %d "
                        + "warm-up epoch(s)), %d stay frozen%n", learning, config.backboneLearningRate(),
                config.learningRate(), config.schedule().name().toLowerCase(Locale.ROOT), config.warmupEpochs(),
                frozen);
        if (batchNorm > 0 && !config.trainBatchNorm()) {
            out.printf(Locale.ROOT, "Note: %d BatchNorm layer(s) do not follow a convolution and could not be "
                    + "frozen by folding; they update their statistics%n", batchNorm);
        }
    }

    private ModelBundle save(ComputationGraph graph, ModelDescription description) throws IOException {
        ModelBundle bundle = new ModelBundle(graph, description);
        bundle.save(runDir.resolve(ModelBundle.FILE_NAME));
        return bundle;
    }

    private void writeCheckpoint(ComputationGraph graph, ModelDescription description) throws IOException {
        Path dir = runDir.resolve("checkpoints");
        Files.createDirectories(dir);
        new ModelBundle(graph, description).save(dir.resolve("last.zip"));
    }

    private ModelDescription describe(List<String> labels, Split split, Path manifest, int bestEpoch, int epochs,
                                      EvaluationReport report, double trainSeconds, SkipLog skipLog) {
        var backboneInfo = new ModelDescription.BackboneInfo(backbone.name(),
                backbone.source().getFileName().toString(), backbone.sha256(), backbone.featureLayer(),
                backbone.license());
        @SuppressWarnings("unchecked")
        Map<String, Object> recipe = Json.mapper().convertValue(config, Map.class);
        var training = new ModelDescription.TrainingInfo(config.mode().cliName(), epochs, bestEpoch,
                config.batchSize(), config.learningRate(), "Adam", config.seed(), config.dropout(), trainSeconds,
                recipe);
        var data = new ModelDescription.DataInfo(split.train().root().toString(),
                split.validation().root().toString(), Checksums.sha256(manifest),
                validationData == null ? config.validationFraction() : 0, split.train().images().size(),
                split.validation().images().size(), skipLog.size(), split.train().countsByLabel(),
                grouping == null ? "none" : grouping.describe());
        return new ModelDescription(ModelDescription.FORMAT_VERSION, labels, backbone.preprocessing(), backboneInfo,
                training, data, report.summary(), Versions.current(), Instant.now().toString());
    }

    /**
     * What {@code command.json} holds: the arguments of the `graft train` that made the run, the folder it ran in
     * (relative paths are relative to it) and the software versions. `graft train --resume` and `--rerun` use it.
     */
    public record Command(List<String> arguments, String workingDirectory, Map<String, String> versions) {
        /** Reads a command.json, also in its first form (a bare list of arguments). */
        public static Command read(Path file) throws IOException {
            var node = Json.mapper().readTree(file.toFile());
            if (node.isArray()) {
                return new Command(List.of(Json.mapper().treeToValue(node, String[].class)), null, Map.of());
            }
            return Json.mapper().treeToValue(node, Command.class);
        }
    }

    /** Where the training UI listens. */
    public record UiAddress(String host, int port) {
    }

    /** One way of running an epoch and a validation pass. */
    private interface EpochLoop {
        /** Returns {train loss, train accuracy (NaN if not measured)}. */
        double[] trainEpoch(int epoch);

        EvaluationReport validate();

        /** The whole grafted graph, holding the weights trained so far. */
        ComputationGraph graph();

        /** The head's learning rate at the last step. */
        double learningRate();
    }

    /**
     * One stretch of training with the same layers learning: "head" (the new head on the frozen backbone, on
     * cached features unless images are augmented) or "finetune" (the unfrozen backbone too).
     */
    record Phase(String name, int epochs, boolean onFeatures, TrainingConfig.Schedule schedule, int warmupEpochs,
                 boolean augment) {
        static final String HEAD = "head";
        static final String FINETUNE = "finetune";

        static List<Phase> plan(TrainingConfig c, boolean augment) {
            if (c.mode() == Mode.TRANSFER) {
                // augmented images differ every epoch, so their features cannot be computed once
                return List.of(new Phase(HEAD, c.epochs(), !augment, c.schedule(), c.warmupEpochs(), augment));
            }
            List<Phase> phases = new ArrayList<>();
            if (c.headEpochs() > 0) {
                // a new head trained first, so that its random start does not send large gradients into the
                // pretrained layers
                phases.add(new Phase(HEAD, c.headEpochs(), true, TrainingConfig.Schedule.CONSTANT, 0, false));
            }
            phases.add(new Phase(FINETUNE, c.epochs(), false, c.schedule(), c.warmupEpochs(), augment));
            return phases;
        }

        ISchedule learningRate(double peak, int stepsPerEpoch) {
            return new WarmupSchedule(WarmupSchedule.Shape.valueOf(schedule.name()), peak,
                    warmupEpochs * stepsPerEpoch, Math.max(1, epochs * stepsPerEpoch));
        }
    }

    /**
     * Transfer mode: features from the frozen backbone once, then epochs over a small graph holding only the head,
     * whose parameters are copied back into the full graph after each epoch. (DL4J's TransferLearningHelper does
     * the same, but keeps every layer's activations while featurizing, ~16 GB for EfficientNet-B0 at batch 32,
     * and cannot split graphs whose frozen part starts with parameter-free vertices.)
     */
    private final class TransferLoop implements EpochLoop {
        private final ComputationGraph graph;
        private final ComputationGraph extractor;
        private final ComputationGraph head;
        private final DataSet trainFeatures;
        private final List<DataSet> valFeatures;
        private final List<String> labels;
        private final ISchedule schedule;

        TransferLoop(ComputationGraph graph, Split split, ImageLoader loader, SkipLog skipLog, List<String> labels,
                     TrainingUi trainingUi, Phase phase, int epochsDone) {
            this.graph = graph;
            this.labels = labels;
            this.extractor = HeadGrafter.featureExtractor(graph, HeadGrafter.headInput(backbone));
            FeatureCache cache = featureCacheRoot == null ? null : new FeatureCache(featureCacheRoot, cacheModel());
            List<DataSet> train;
            try (InferenceEngine features = InferenceEngine.create(engine, extractor, backbone.preprocessing())) {
                train = featurize(split.train().images(), loader, cache, skipLog, "Features (train)", features);
                if (train.isEmpty()) {
                    throw new BadDataException("None of the training images could be read.",
                            "See " + SkipLog.FILE_NAME + " in the run folder for the reasons.");
                }
                this.valFeatures = featurize(split.validation().images(), loader, cache, skipLog, "Features (val)",
                        features);
            }
            this.trainFeatures = DataSet.merge(train);
            if (cache != null && cache.hits() > 0) {
                out.printf(Locale.ROOT, "Feature cache: %d of %d images' features reused from %s%n", cache.hits(),
                        split.train().images().size() + split.validation().images().size(), cache.dir());
            }
            cacheHits = cache == null ? 0 : cache.hits();
            cacheRejected = cache == null ? 0 : cache.rejected();
            int steps = (trainFeatures.numExamples() + config.batchSize() - 1) / config.batchSize();
            this.schedule = phase.learningRate(config.learningRate(), steps);
            this.head = HeadGrafter.headOnly(graph, HeadGrafter.headInputSize(backbone), config, schedule);
            head.getConfiguration().setIterationCount(epochsDone * steps);
            if (trainingUi != null) {
                // only the small head trains here, so statistics at every iteration cost next to nothing
                head.setListeners(trainingUi.listener(1));
            }
        }

        /** Everything that decides an image's features; the cache keeps them apart. */
        private String cacheModel() {
            return String.join("|", "graft-features-v1", backbone.sha256(), backbone.featureLayer(),
                    HeadGrafter.headInput(backbone), backbone.preprocessing().toString(),
                    Versions.current().get("deeplearning4j"));
        }

        /**
         * Features of each image: from the cache where it has them, else through the backbone in small batches.
         * Returns batches of at most {@code inferenceBatch} examples with one-hot labels and paths as metadata.
         */
        private List<DataSet> featurize(List<ImageEntry> entries, ImageLoader loader, FeatureCache cache,
                                        SkipLog skipLog, String task, InferenceEngine backboneEngine) {
            int n = entries.size();
            int len = (int) HeadGrafter.headInputSize(backbone);
            float[][] features = new float[n][];
            String[] keys = new String[n];
            List<Integer> todo = new ArrayList<>();
            try (Progress p = Progress.start(showProgress, TrainingJob.this.out, task, n, "img")) {
                for (int i = 0; i < n; i++) {
                    if (cache != null) {
                        try {
                            keys[i] = FeatureCache.keyOf(entries.get(i).path());
                            features[i] = cache.get(keys[i], len).orElse(null);
                        } catch (RuntimeException e) {
                            keys[i] = null; // unreadable: the loader below reports it
                        }
                    }
                    if (features[i] == null) {
                        todo.add(i);
                    } else {
                        p.step(1, null);
                    }
                }
                List<List<Integer>> chunks = new ArrayList<>();
                for (int start = 0; start < todo.size(); start += config.inferenceBatch()) {
                    chunks.add(todo.subList(start, Math.min(todo.size(), start + config.inferenceBatch())));
                }
                // the next batch decodes while the backbone works on this one
                try (PrefetchingLoader batches = new PrefetchingLoader(loader, chunks.stream()
                        .map(c -> c.stream().map(i -> entries.get(i).path()).toList()).toList())) {
                    for (List<Integer> chunk : chunks) {
                        ImageLoader.Batch batch = batches.next();
                        batch.failures().forEach(e -> skipLog.add(new SkippedImage(e.path(), e.getMessage())));
                        if (batch.features() != null) {
                            INDArray out = backboneEngine.output(batch.features());
                            for (int j = 0; j < batch.loaded().size(); j++) {
                                int i = chunk.get(batch.loaded().get(j));
                                features[i] = out.getRow(j).toFloatVector();
                                if (cache != null && keys[i] != null) {
                                    cache.put(keys[i], features[i]);
                                }
                            }
                        }
                        p.step(chunk.size(), null);
                    }
                }
            }
            List<DataSet> batches = new ArrayList<>();
            List<Integer> ok = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (features[i] != null) {
                    ok.add(i);
                }
            }
            for (int start = 0; start < ok.size(); start += config.inferenceBatch()) {
                List<Integer> rows = ok.subList(start, Math.min(ok.size(), start + config.inferenceBatch()));
                INDArray x = Nd4j.create(DataType.FLOAT, rows.size(), len);
                INDArray y = Nd4j.zeros(DataType.FLOAT, rows.size(), labels.size());
                List<String> paths = new ArrayList<>();
                for (int r = 0; r < rows.size(); r++) {
                    ImageEntry e = entries.get(rows.get(r));
                    x.putRow(r, Nd4j.createFromArray(features[rows.get(r)]));
                    y.putScalar(r, labels.indexOf(e.label()), 1f);
                    paths.add(e.path().toString());
                }
                DataSet ds = new DataSet(x, y);
                ds.setExampleMetaData(paths);
                batches.add(ds);
            }
            return batches;
        }

        @Override
        public double[] trainEpoch(int epoch) {
            trainFeatures.shuffle(config.seed() + epoch);
            List<DataSet> batches = trainFeatures.batchBy(config.batchSize());
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            try (Progress p = Progress.start(showProgress, out, "Epoch " + epoch + "/" + config.totalEpochs(),
                    batches.size(), "batch")) {
                for (DataSet batch : batches) {
                    head.fit(batch);
                    int n = batch.numExamples();
                    lossSum += head.score() * n;
                    INDArray probs = head.outputSingle(false, batch.getFeatures());
                    correct += probs.argMax(1).eq(batch.getLabels().argMax(1)).castTo(
                            org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
                    seen += n;
                    p.step(1, String.format(Locale.ROOT, "loss %.4f acc %.3f", lossSum / seen,
                            (double) correct / seen));
                }
            }
            HeadGrafter.copyHeadInto(head, graph);
            return new double[]{lossSum / seen, (double) correct / seen};
        }

        @Override
        public EvaluationReport validate() {
            return Evaluator.evaluate(labels, valFeatures.iterator(), x -> head.outputSingle(false, x));
        }

        @Override
        public ComputationGraph graph() {
            return graph;
        }

        @Override
        public double learningRate() {
            return schedule.valueAt(Math.max(0, head.getConfiguration().getIterationCount() - 1), 0);
        }
    }

    /** Fine-tune mode: every batch through the whole network. */
    private final class FineTuneLoop implements EpochLoop {
        private final ComputationGraph graph;
        private final ImageBatchIterator trainIt;
        private final ImageBatchIterator valIt;
        private final List<String> labels;
        private final ISchedule schedule;
        private boolean started;

        FineTuneLoop(ComputationGraph grafted, Split split, ImageLoader loader, SkipLog skipLog, List<String> labels,
                     TrainingUi trainingUi, Phase phase, int epochsDone) {
            var train = ImageBatchIterator.builder().setImages(split.train().images()).setLabels(labels)
                    .setLoader(loader).optBatchSize(config.batchSize()).optShuffle(config.seed()).optSkipLog(skipLog);
            if (phase.augment()) {
                train.optAugmentation(config.seed());
            }
            this.trainIt = train.build();
            int steps = (trainIt.numExamples() + config.batchSize() - 1) / config.batchSize();
            this.schedule = phase.learningRate(config.learningRate(), steps);
            this.graph = HeadGrafter.withLearningRates(grafted, schedule,
                    phase.learningRate(config.backboneLearningRate(), steps), epochsDone * steps);
            this.valIt = ImageBatchIterator.builder().setImages(split.validation().images()).setLabels(labels)
                    .setLoader(loader).optBatchSize(config.inferenceBatch()).optSkipLog(skipLog).build();
            this.labels = labels;
            if (trainingUi != null) {
                graph.setListeners(trainingUi.listener(config.uiStatsEvery()));
            }
        }

        @Override
        public double[] trainEpoch(int epoch) {
            if (started) {
                trainIt.reset();
            }
            started = true;
            double lossSum = 0;
            long seen = 0;
            long batches = (trainIt.numExamples() + config.batchSize() - 1) / config.batchSize();
            try (Progress p = Progress.start(showProgress, out, "Epoch " + epoch + "/" + config.totalEpochs(), batches,
                    "batch")) {
                while (trainIt.hasNext()) {
                    DataSet batch = trainIt.next();
                    graph.fit(batch);
                    lossSum += graph.score() * batch.numExamples();
                    seen += batch.numExamples();
                    p.step(1, String.format(Locale.ROOT, "loss %.4f", lossSum / seen));
                }
            }
            if (seen == 0) {
                throw new BadDataException("None of the training images could be read.",
                        "See " + SkipLog.FILE_NAME + " in the run folder for the reasons.");
            }
            return new double[]{lossSum / seen, Double.NaN};
        }

        @Override
        public EvaluationReport validate() {
            valIt.reset();
            try (Progress p = Progress.start(showProgress, out, "Validating", valIt.numExamples(), "img")) {
                return Evaluator.evaluate(labels, p.counting(valIt), x -> graph.outputSingle(false, x));
            }
        }

        @Override
        public ComputationGraph graph() {
            return graph;
        }

        @Override
        public double learningRate() {
            return schedule.valueAt(Math.max(0, graph.getConfiguration().getIterationCount() - 1), 0);
        }
    }

    /** Builder: {@code setTrainData}, {@code setBackbone} and {@code setRunDir} are required. */
    public static final class Builder {
        private Path trainData;
        private Path validationData;
        private Supplier<Backbone> backbone;
        private Path runDir;
        private TrainingConfig config = TrainingConfig.defaults();
        private boolean showProgress = true;
        private UiAddress ui;
        private PrintStream out = System.out;
        private Path featureCacheRoot;
        private Grouping grouping;
        private Split split;
        private boolean checkNearDuplicates = true;
        private Engine engine = Engine.DL4J;
        private boolean resume;
        private List<String> arguments;

        public Builder setTrainData(Path dir) {
            this.trainData = dir;
            return this;
        }

        /** A folder already split off for validation; without it, the training folder is split. */
        public Builder optValidationData(Path dir) {
            this.validationData = dir;
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

        public Builder setRunDir(Path dir) {
            this.runDir = dir;
            return this;
        }

        public Builder optConfig(TrainingConfig config) {
            this.config = config;
            return this;
        }

        /**
         * What computes the frozen backbone's features in transfer mode: DL4J (default) or ONNX Runtime on an ONNX
         * export of it (several times faster on a CPU; the same features to 1e-4). Training is always DL4J's.
         */
        public Builder optEngine(Engine engine) {
            this.engine = engine;
            return this;
        }

        /**
         * Continues the run in {@code runDir} from its last checkpoint (after an interruption, even a kill -9):
         * the epochs recorded in its history are not repeated, and the best model so far stays the best unless a
         * later epoch beats it. Without a checkpoint the run starts from the beginning.
         */
        public Builder optResume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /** The command line that started the run, saved as {@code command.json} so that it can be resumed. */
        public Builder optArguments(List<String> arguments) {
            this.arguments = List.copyOf(arguments);
            return this;
        }

        public Builder optProgress(boolean show) {
            this.showProgress = show;
            return this;
        }

        /** Start DL4J's training UI on 127.0.0.1:9000 and record statistics in the run folder. */
        public Builder optUi(boolean ui) {
            this.ui = ui ? new UiAddress("127.0.0.1", TrainingUi.PORT) : null;
            return this;
        }

        /** Start DL4J's training UI at this address (null: no UI). */
        public Builder optUi(UiAddress address) {
            this.ui = address;
            return this;
        }

        public Builder optOut(PrintStream out) {
            this.out = out;
            return this;
        }

        /** Keep transfer-mode features in this folder and reuse them in later runs (null: no cache). */
        public Builder optFeatureCache(Path root) {
            this.featureCacheRoot = root;
            return this;
        }

        /** Keeps each group of images (a page, a volume) on one side of the split; null or none for no groups. */
        public Builder optGrouping(Grouping grouping) {
            this.grouping = grouping;
            return this;
        }

        /**
         * Uses this split instead of scanning and splitting (a cross-validation fold); then {@code setTrainData}
         * is not needed.
         */
        public Builder optSplit(Split split) {
            this.split = split;
            return this;
        }

        /** Whether to look for near-duplicates across the split (perceptual hashes; on by default). */
        public Builder optCheckNearDuplicates(boolean check) {
            this.checkNearDuplicates = check;
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
