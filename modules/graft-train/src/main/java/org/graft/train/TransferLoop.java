package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.common.BadDataException;
import org.graft.common.Versions;
import org.graft.data.ImageEntry;
import org.graft.engine.Engine;
import org.graft.engine.EngineChoice;
import org.graft.engine.FeatureCache;
import org.graft.engine.Featurizer;
import org.graft.evaluate.Evaluator;
import org.graft.model.EvaluationReport;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.schedule.ISchedule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The head phase on cached features: the frozen backbone's output for each image does not change between epochs,
 * so it is computed once ({@link Featurizer}) and each epoch fits a small graph holding only the head, whose
 * weights are copied back into the classifier. (DL4J's TransferLearningHelper does the same, but keeps every
 * layer's activations while featurizing, ~16 GB for EfficientNet-B0 at batch 32, and cannot split graphs whose
 * frozen part starts with parameter-free vertices.)
 */
final class TransferLoop implements EpochLoop {
    private final LoopContext ctx;
    private final ComputationGraph classifier;
    private final ComputationGraph head;
    private final DataSet trainFeatures;
    private final List<DataSet> valFeatures;
    private final ISchedule schedule;
    private final int cacheHits;
    private final int cacheRejected;
    private final EngineChoice featureEngine;

    /**
     * @param cacheRoot  where features are kept between runs (null: no cache)
     * @param epochsDone epochs of this phase already trained (a resumed run): the schedule continues from there
     */
    TransferLoop(LoopContext ctx, Backbone backbone, ComputationGraph classifier, PhasePlan plan, int epochsDone,
                 Engine engine, Path cacheRoot) {
        this.ctx = ctx;
        this.classifier = classifier;
        TrainingConfig config = ctx.config();
        int length = (int) HeadGrafter.headInputSize(backbone);
        FeatureCache cache = cacheRoot == null ? null : new FeatureCache(cacheRoot, cacheModel(backbone), length);
        ComputationGraph extractor = HeadGrafter.featureExtractor(classifier, HeadGrafter.headInput(backbone));
        List<DataSet> train;
        try (Featurizer featurizer = new Featurizer(engine, extractor, ctx.loader(), config.inferenceBatch(), cache)) {
            train = features(featurizer, ctx.split().train().images(), "Features (train)");
            if (train.isEmpty()) {
                throw new BadDataException("None of the training images could be read.",
                        "See " + RunFolder.SKIPPED + " in the run folder for the reasons.");
            }
            this.valFeatures = features(featurizer, ctx.split().validation().images(), "Features (val)");
            this.cacheHits = featurizer.cacheHits();
            this.cacheRejected = featurizer.cacheRejected();
            this.featureEngine = featurizer.engineChoice();
        }
        if (featureEngine.fallback()) {
            ctx.listeners().notice(TrainingListener.Notice.Kind.ENGINE, "Warning: features computed by DL4J, "
                    + "not ONNX Runtime: " + featureEngine.reason());
        }
        this.trainFeatures = DataSet.merge(train);
        if (cacheHits > 0) {
            ctx.listeners().notice(TrainingListener.Notice.Kind.FEATURE_CACHE, String.format(Locale.ROOT,
                    "Feature cache: %d of %d images' features reused from %s", cacheHits,
                    ctx.split().train().images().size() + ctx.split().validation().images().size(), cache.dir()));
        }
        int steps = (trainFeatures.numExamples() + config.batchSize() - 1) / config.batchSize();
        this.schedule = plan.learningRate(config.learningRate(), steps);
        this.head = HeadGrafter.headOnly(classifier, length, config, schedule);
        head.getConfiguration().setIterationCount(epochsDone * steps);
    }

    /** Everything that decides an image's features; the cache keeps them apart. */
    private static String cacheModel(Backbone backbone) {
        return String.join("|", "graft-features-v1", backbone.sha256(), backbone.featureLayer(),
                HeadGrafter.headInput(backbone), backbone.preprocessing().toString(),
                Versions.current().get("deeplearning4j"));
    }

    /** Batches of at most {@code inferenceBatch} feature vectors with one-hot labels and paths as metadata. */
    private List<DataSet> features(Featurizer featurizer, List<ImageEntry> entries, String task) {
        float[][] vectors = ctx.featurize(featurizer, entries, task);
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (vectors[i] != null) {
                ok.add(i);
            }
        }
        int batch = ctx.config().inferenceBatch();
        List<DataSet> batches = new ArrayList<>();
        for (int start = 0; start < ok.size(); start += batch) {
            List<Integer> rows = ok.subList(start, Math.min(ok.size(), start + batch));
            batches.add(ctx.batchOf(rows, vectors, entries, new long[]{vectors[rows.get(0)].length}));
        }
        return batches;
    }

    @Override
    public EpochResult trainEpoch(int epoch, int epochInPhase) {
        TrainingConfig config = ctx.config();
        // each epoch's order depends on the seed and the epoch alone, so a resumed run shuffles as the first did
        DataSet shuffled = trainFeatures.copy();
        shuffled.shuffle(config.seed() + epoch);
        List<DataSet> batches = shuffled.batchBy(config.batchSize());
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        TrainingListener.Pass pass = new TrainingListener.Pass("Epoch " + epoch + "/" + config.totalEpochs(),
                batches.size(), "batch");
        ctx.listeners().tell(l -> l.onPassStart(pass));
        for (int b = 0; b < batches.size(); b++) {
            DataSet batch = batches.get(b);
            head.fit(batch);
            int n = batch.numExamples();
            lossSum += head.score() * n;
            INDArray probs = head.outputSingle(false, batch.getFeatures());
            correct += probs.argMax(1).eq(batch.getLabels().argMax(1)).castTo(DataType.INT).sumNumber().longValue();
            seen += n;
            var done = new TrainingListener.TrainingBatch(epoch, TrainingPhase.HEAD, b + 1, batches.size(),
                    head.score(), seen);
            String status = String.format(Locale.ROOT, "loss %.4f acc %.3f", lossSum / seen, (double) correct / seen);
            ctx.listeners().tell(l -> l.onTrainingBatch(done));
            ctx.listeners().tell(l -> l.onPassProgress(pass, 1, status));
        }
        ctx.listeners().tell(l -> l.onPassEnd(pass));
        HeadGrafter.copyHeadInto(head, classifier);
        return new EpochResult(lossSum / seen, (double) correct / seen, seen);
    }

    @Override
    public EvaluationReport validate() {
        return Evaluator.evaluate(ctx.labels(), valFeatures.iterator(), x -> head.outputSingle(false, x));
    }

    @Override
    public ComputationGraph classifier() {
        return classifier;
    }

    @Override
    public ComputationGraph learningGraph() {
        return head;
    }

    @Override
    public void restore(ComputationGraph checkpoint) {
        EpochLoop.copyTrainingState(checkpoint, head);
        HeadGrafter.copyHeadInto(head, classifier);
    }

    @Override
    public double learningRate() {
        return EpochLoop.rateAtLastStep(schedule, head);
    }

    @Override
    public Map<String, String> engines() {
        // every image's features came from the cache when no batch was left to decide the engine
        String features = featureEngine.engine() == Engine.AUTO ? "feature cache" : featureEngine.describe();
        Map<String, String> engines = new LinkedHashMap<>();
        engines.put("features", features);
        engines.put("training", Engine.DL4J.cliName());
        engines.put("validation", Engine.DL4J.cliName() + " (head on the features)");
        return engines;
    }

    int cacheHits() {
        return cacheHits;
    }

    int cacheRejected() {
        return cacheRejected;
    }
}
