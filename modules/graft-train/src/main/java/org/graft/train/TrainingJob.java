package org.graft.train;

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
    }

    /** The arguments of the `graft train` that made a run folder: what `graft train --resume` repeats. */
    public static final String COMMAND_FILE = "command.json";

    public static Builder builder() {
        return new Builder();
    }

    public TrainingResult run() throws IOException {
        long start = System.nanoTime();
        SkipLog skipLog = new SkipLog();

        // 1. Data: scan, split, manifest
        ImageFolder folder = ImageFolder.scanForTraining(trainData);
        skipLog.addAll(folder.skipped());
        Split split;
        if (validationData != null) {
            ImageFolder val = ImageFolder.scan(validationData);
            skipLog.addAll(val.skipped());
            split = Split.given(folder, val);
        } else {
            split = Split.stratified(folder, config.validationFraction(), config.seed());
        }
        // the run folder appears only once the data is known to be usable
        Files.createDirectories(runDir);
        if (arguments != null) {
            Json.write(runDir.resolve(COMMAND_FILE), arguments);
        }
        Path manifest = runDir.resolve(Split.MANIFEST_NAME);
        split.writeManifest(manifest);
        List<String> labels = split.labels();
        AtomicFiles.write(runDir.resolve("labels.txt"),
                (String.join("\n", labels) + "\n").getBytes(StandardCharsets.UTF_8));
        out.printf(Locale.ROOT, "Data: %d classes %s; %d training and %d validation images (split.csv)%n",
                labels.size(), folder.countsByLabel(), split.train().images().size(),
                split.validation().images().size());
        if (split.validation().images().isEmpty()) {
            throw new GraftException("No validation images: every class has a single image.",
                    "Add images (at least two per class) or give a validation folder with --val.");
        }

        // 2. Model: the backbone (loaded only now, so that a data mistake shows before a long download)
        backbone = backboneSource.get();
        ComputationGraph graph = HeadGrafter.graft(backbone, labels.size(), config);
        out.printf(Locale.ROOT, "Model: %s, %s mode, new head on '%s' (%d features -> %d classes)%n",
                backbone.name(), config.mode().cliName(), backbone.featureLayer(),
                backbone.featureSize(), labels.size());

        ImageLoader loader = new ImageLoader(backbone.preprocessing());

        TrainingUi trainingUi = null;
        if (ui != null) {
            trainingUi = TrainingUi.start(runDir, ui.host(), ui.port());
            out.println("Training UI: " + trainingUi.url());
        }

        // 3. Train
        EpochLoop loop = config.mode() == Mode.TRANSFER
                ? new TransferLoop(graph, split, loader, skipLog, labels, trainingUi)
                : new FineTuneLoop(graph, split, loader, skipLog, labels, trainingUi);
        List<EpochStats> history = new ArrayList<>();
        INDArray bestParams = null;
        EvaluationReport bestReport = null;
        int bestEpoch = 0;
        double trainSeconds = 0;
        Path checkpoint = runDir.resolve("checkpoints").resolve("last.zip");
        if (resume && Files.exists(checkpoint) && Files.exists(runDir.resolve("history.json"))
                && Files.exists(runDir.resolve(ModelBundle.FILE_NAME))) {
            // the checkpoint and history are written together at the end of each epoch (each atomically, the
            // checkpoint first), so the history may be one epoch short of the checkpoint but never ahead of it
            ModelBundle last = ModelBundle.load(checkpoint);
            int done = Math.min(last.description().training().epochs(),
                    Json.mapper().readValue(runDir.resolve("history.json").toFile(), EpochStats[].class).length);
            history.addAll(List.of(Json.mapper().readValue(runDir.resolve("history.json").toFile(),
                    EpochStats[].class)).subList(0, done));
            ModelBundle best = ModelBundle.load(runDir.resolve(ModelBundle.FILE_NAME));
            bestEpoch = best.description().training().bestEpoch();
            bestParams = best.graph().params().dup();
            loop.load(bestParams);
            bestReport = loop.validate();
            loop.load(last.graph().params());
            trainSeconds = history.stream().mapToDouble(EpochStats::seconds).sum();
            out.printf(Locale.ROOT, "Resuming after epoch %d of %d (best so far: epoch %d, val accuracy %.4f)%n",
                    done, config.epochs(), bestEpoch, bestReport.accuracy());
        }
        for (int epoch = history.size() + 1; epoch <= config.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double[] trainLossAcc = loop.trainEpoch(epoch);
            EvaluationReport report = loop.validate();
            double secs = (System.nanoTime() - t0) / 1e9;
            trainSeconds += secs;
            EpochStats stats = new EpochStats(epoch, trainLossAcc[0], trainLossAcc[1], report.logLoss(),
                    report.accuracy(), secs);
            history.add(stats);
            boolean better = bestReport == null || report.accuracy() > bestReport.accuracy()
                    || (report.accuracy() == bestReport.accuracy() && report.logLoss() < bestReport.logLoss());
            out.printf(Locale.ROOT, "Epoch %d/%d: train loss %.4f%s, val loss %.4f, val accuracy %.4f (%.1f s)%s%n",
                    epoch, config.epochs(), stats.trainLoss(),
                    Double.isNaN(stats.trainAccuracy()) ? "" : String.format(Locale.ROOT, ", train accuracy %.4f",
                            stats.trainAccuracy()),
                    stats.validationLoss(), stats.validationAccuracy(), secs, better ? "  * best so far" : "");
            if (better) {
                bestParams = graph.params().dup();
                bestReport = report;
                bestEpoch = epoch;
            }
            ModelDescription now = describe(labels, split, manifest, bestEpoch, epoch, report, trainSeconds, skipLog);
            if (better) {
                // the best model so far is always on disk, so an interrupted run still leaves a usable model
                save(graph, now);
            }
            writeCheckpoint(graph, now);
            Json.write(runDir.resolve("history.json"), history);
        }

        // 4. Keep the best epoch's weights; write the final model, metrics and skipped list
        graph.setParams(bestParams);
        ModelDescription description = describe(labels, split, manifest, bestEpoch, config.epochs(), bestReport,
                trainSeconds, skipLog);
        ModelBundle bundle = save(graph, description);
        bestReport.writeJson(runDir.resolve("metrics.json"));
        skipLog.write(runDir.resolve(SkipLog.FILE_NAME));
        if (skipLog.size() > 0) {
            out.printf(Locale.ROOT, "Skipped %d unreadable file(s); see %s%n", skipLog.size(),
                    runDir.resolve(SkipLog.FILE_NAME));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "Best epoch %d: val accuracy %.4f, macro F1 %.4f. Model: %s (%.1f s in all)%n",
                bestEpoch, bestReport.accuracy(), bestReport.macroF1(), runDir.resolve(ModelBundle.FILE_NAME),
                seconds);
        return new TrainingResult(runDir, bundle, bestReport, history, bestEpoch, seconds, skipLog.size(), cacheHits,
                cacheRejected);
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
        var training = new ModelDescription.TrainingInfo(config.mode().cliName(), epochs, bestEpoch,
                config.batchSize(), config.learningRate(), "Adam", config.seed(), config.dropout(), trainSeconds);
        var data = new ModelDescription.DataInfo(split.train().root().toString(),
                split.validation().root().toString(), Checksums.sha256(manifest),
                validationData == null ? config.validationFraction() : 0, split.train().images().size(),
                split.validation().images().size(), skipLog.size(), split.train().countsByLabel());
        return new ModelDescription(ModelDescription.FORMAT_VERSION, labels, backbone.preprocessing(), backboneInfo,
                training, data, report.summary(), Versions.current(), Instant.now().toString());
    }

    /** Where the training UI listens. */
    public record UiAddress(String host, int port) {
    }

    /** One way of running an epoch and a validation pass. */
    private interface EpochLoop {
        /** Returns {train loss, train accuracy (NaN if not measured)}. */
        double[] trainEpoch(int epoch);

        /** Puts these parameters of the whole grafted graph in place (resuming). */
        void load(INDArray graphParams);

        EvaluationReport validate();
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

        TransferLoop(ComputationGraph graph, Split split, ImageLoader loader, SkipLog skipLog, List<String> labels,
                     TrainingUi trainingUi) {
            this.graph = graph;
            this.labels = labels;
            this.extractor = HeadGrafter.featureExtractor(graph, HeadGrafter.headInput(backbone));
            this.head = HeadGrafter.headOnly(graph, HeadGrafter.headInputSize(backbone), config);
            if (trainingUi != null) {
                // only the small head trains here, so statistics at every iteration cost next to nothing
                head.setListeners(trainingUi.listener(1));
            }
            FeatureCache cache = featureCacheRoot == null ? null : new FeatureCache(featureCacheRoot, cacheModel());
            List<DataSet> train;
            try (InferenceEngine features = InferenceEngine.create(engine, extractor, backbone.preprocessing())) {
                train = featurize(split.train().images(), loader, cache, skipLog, "Features (train)", features);
                if (train.isEmpty()) {
                    throw new GraftException("None of the training images could be read.",
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
            try (Progress p = Progress.start(showProgress, out, "Epoch " + epoch + "/" + config.epochs(),
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
        public void load(INDArray graphParams) {
            graph.setParams(graphParams);
            HeadGrafter.copyHeadFrom(graph, head);
        }
    }

    /** Fine-tune mode: every batch through the whole network. */
    private final class FineTuneLoop implements EpochLoop {
        private final ComputationGraph graph;
        private final ImageBatchIterator trainIt;
        private final ImageBatchIterator valIt;
        private final List<String> labels;

        FineTuneLoop(ComputationGraph graph, Split split, ImageLoader loader, SkipLog skipLog, List<String> labels,
                     TrainingUi trainingUi) {
            this.graph = graph;
            this.trainIt = ImageBatchIterator.builder().setImages(split.train().images()).setLabels(labels)
                    .setLoader(loader).optBatchSize(config.batchSize()).optShuffle(config.seed()).optSkipLog(skipLog)
                    .build();
            this.valIt = ImageBatchIterator.builder().setImages(split.validation().images()).setLabels(labels)
                    .setLoader(loader).optBatchSize(config.inferenceBatch()).optSkipLog(skipLog).build();
            this.labels = labels;
            if (trainingUi != null) {
                graph.setListeners(trainingUi.listener(config.uiStatsEvery()));
            }
        }

        @Override
        public double[] trainEpoch(int epoch) {
            if (epoch > 1) {
                trainIt.reset();
            }
            double lossSum = 0;
            long seen = 0;
            long batches = (trainIt.numExamples() + config.batchSize() - 1) / config.batchSize();
            try (Progress p = Progress.start(showProgress, out, "Epoch " + epoch + "/" + config.epochs(), batches,
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
                throw new GraftException("None of the training images could be read.",
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
        public void load(INDArray graphParams) {
            graph.setParams(graphParams);
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

        public TrainingJob build() {
            if (trainData == null || backbone == null || runDir == null) {
                throw new IllegalStateException("setTrainData, setBackbone and setRunDir are required");
            }
            return new TrainingJob(this);
        }
    }
}
