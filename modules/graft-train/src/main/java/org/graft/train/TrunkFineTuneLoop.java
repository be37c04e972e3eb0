package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.common.Versions;
import org.graft.data.ImageBatchIterator;
import org.graft.data.ImageEntry;
import org.graft.engine.Engine;
import org.graft.engine.EngineChoice;
import org.graft.engine.FeatureCache;
import org.graft.engine.Featurizer;
import org.graft.engine.InferenceEngine;
import org.graft.model.EvaluationReport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Fine-tuning the last blocks ({@code --unfreeze N}) without paying for the frozen ones: the graph is split where
 * its frozen trunk ends ({@link TrunkSplit}); the trunk runs forward only, in the chosen engine (ONNX Runtime with
 * {@code --engine auto}), and only the upper graph is fitted in DL4J, backpropagating through the layers that learn.
 * Without augmentation each image's trunk activations are computed once, and kept in memory and in the feature
 * cache; with it (or when they would not fit in memory), every batch runs through the trunk. Images are visited in
 * the order and batches of {@link FineTuneLoop}, so the losses and weights are the same as training the whole graph.
 */
final class TrunkFineTuneLoop implements EpochLoop {
    /** Keep trunk activations only while they take at most this share of the JVM's heap. */
    private static final double MEMORY_SHARE = 0.3;

    private final LoopContext ctx;
    private final ComputationGraph classifier;
    private final TrunkSplit split;
    private final ISchedule schedule;
    private final long[] activationShape;
    private final InferenceEngine trunkEngine;
    /** Kept activations, one per training and validation image (null where unreadable); null when streamed. */
    private final float[][] trainActivations;
    private final float[][] valActivations;
    private final ImageBatchIterator trainIt;
    private final ImageBatchIterator valIt;
    private EngineChoice trunkChoice;

    /**
     * @param graph      the grafted classifier, scheduled ({@link HeadGrafter#withLearningRates})
     * @param cacheRoot  where trunk activations are kept between runs (null: no cache)
     */
    private TrunkFineTuneLoop(LoopContext ctx, Backbone backbone, ComputationGraph graph, TrunkSplit split,
                              PhasePlan plan, ISchedule schedule, Engine engine, Path cacheRoot) {
        this.ctx = ctx;
        this.classifier = graph;
        this.split = split;
        this.schedule = schedule;
        TrainingConfig config = ctx.config();
        INDArray one = Nd4j.zeros(DataType.FLOAT, ctx.loader().preprocessing().shape(1));
        long[] shape = split.trunk().outputSingle(false, one).shape();
        this.activationShape = Arrays.copyOfRange(shape, 1, shape.length);
        long perImage = Arrays.stream(activationShape).reduce(1, (a, b) -> a * b);
        List<ImageEntry> train = ctx.split().train().images();
        List<ImageEntry> val = ctx.split().validation().images();
        double bytes = 4.0 * perImage * (train.size() + val.size());
        boolean keep = !plan.augment() && bytes <= MEMORY_SHARE * Runtime.getRuntime().maxMemory();
        if (keep) {
            FeatureCache cache = cacheRoot == null ? null
                    : new FeatureCache(cacheRoot, cacheModel(backbone, split, config), (int) perImage);
            try (Featurizer trunk = new Featurizer(engine, split.trunk(), ctx.loader(), config.inferenceBatch(),
                    cache)) {
                this.trainActivations = ctx.featurize(trunk, train, "Frozen blocks (train)");
                this.valActivations = ctx.featurize(trunk, val, "Frozen blocks (val)");
                this.trunkChoice = trunk.engineChoice();
            }
            if (trunkChoice.fallback()) {
                ctx.listeners().notice(TrainingListener.Notice.Kind.ENGINE, "Warning: the frozen blocks ran in "
                        + "DL4J, not ONNX Runtime: " + trunkChoice.reason());
            }
            this.trunkEngine = null;
            this.trainIt = null;
            this.valIt = null;
        } else {
            if (!plan.augment()) {
                ctx.listeners().notice(TrainingListener.Notice.Kind.ENGINE, String.format(Locale.ROOT,
                        "The frozen blocks' outputs (%.1f GB) would not fit in memory: they are computed again "
                                + "every epoch", bytes / 1e9));
            }
            this.trainActivations = null;
            this.valActivations = null;
            this.trunkEngine = InferenceEngine.create(engine, split.trunk(), ctx.loader().preprocessing());
            var it = ImageBatchIterator.builder().setImages(train).setLabels(ctx.labels()).setLoader(ctx.loader())
                    .optBatchSize(config.batchSize()).optShuffle(config.seed()).optSkipLog(ctx.skipped());
            if (plan.augment()) {
                it.optAugmentation(config.seed());
            }
            this.trainIt = it.build();
            this.valIt = ImageBatchIterator.builder().setImages(val).setLabels(ctx.labels()).setLoader(ctx.loader())
                    .optBatchSize(config.inferenceBatch()).optSkipLog(ctx.skipped()).build();
        }
    }

    /**
     * The loop for {@code grafted}'s fine-tuning phase, or null when the graph has no frozen trunk to split off
     * (every block learns).
     */
    static TrunkFineTuneLoop create(LoopContext ctx, Backbone backbone, ComputationGraph grafted, PhasePlan plan,
                                    int epochsDone, Engine engine, Path cacheRoot) {
        TrainingConfig config = ctx.config();
        int steps = (ctx.split().train().images().size() + config.batchSize() - 1) / config.batchSize();
        ISchedule schedule = plan.learningRate(config.learningRate(), steps);
        ComputationGraph graph = HeadGrafter.withLearningRates(grafted, schedule,
                plan.learningRate(config.backboneLearningRate(), steps), epochsDone * steps);
        return TrunkSplit.of(graph).map(split -> new TrunkFineTuneLoop(ctx, backbone, graph, split, plan, schedule,
                engine, cacheRoot)).orElse(null);
    }

    /** Everything that decides a trunk activation; the cache keeps them apart. */
    private static String cacheModel(Backbone backbone, TrunkSplit split, TrainingConfig config) {
        return String.join("|", "graft-trunk-v1", backbone.sha256(), split.boundary(),
                config.trainBatchNorm() ? "batchnorm" : "batchnorm-folded", backbone.preprocessing().toString(),
                Versions.current().get("deeplearning4j"));
    }

    @Override
    public EpochResult trainEpoch(int epoch, int epochInPhase) {
        TrainingConfig config = ctx.config();
        Iterator<DataSet> batches = trainActivations != null
                ? keptBatches(ImageBatchIterator.epochOrder(trainActivations.length, config.seed(), epochInPhase - 1),
                trainActivations, ctx.split().train().images(), config.batchSize())
                : streamed(trainIt, epochInPhase - 1);
        EpochResult result = FineTuneLoop.fitEpoch(ctx, split.upper(), batches, epoch,
                ctx.split().train().images().size());
        split.copyInto(classifier);
        return result;
    }

    /**
     * Batches of kept activations in {@code order}, unreadable images left out as a decoding iterator does, each
     * built only when asked for (the kept arrays are not copied whole), with the images' paths as metadata.
     */
    private Iterator<DataSet> keptBatches(List<Integer> order, float[][] kept, List<ImageEntry> entries, int size) {
        List<List<Integer>> batches = new ArrayList<>();
        for (int start = 0; start < order.size(); start += size) {
            List<Integer> rows = order.subList(start, Math.min(order.size(), start + size)).stream()
                    .filter(i -> kept[i] != null).toList();
            if (!rows.isEmpty()) {
                batches.add(rows);
            }
        }
        return batches.stream().map(rows -> ctx.batchOf(rows, kept, entries, activationShape)).iterator();
    }

    /** The iterator's batches of images, each replaced by its trunk activations. */
    private Iterator<DataSet> streamed(ImageBatchIterator images, int epochFromZero) {
        images.startEpoch(epochFromZero);
        return mapped(images, this::throughTrunk);
    }

    private INDArray throughTrunk(INDArray images) {
        INDArray out = trunkEngine.output(images);
        if (trunkChoice == null || trunkChoice.engine() == Engine.AUTO) {
            trunkChoice = trunkEngine.choice();
            if (trunkChoice.fallback()) {
                ctx.listeners().notice(TrainingListener.Notice.Kind.ENGINE, "Warning: the frozen blocks run in "
                        + "DL4J, not ONNX Runtime: " + trunkChoice.reason());
            }
        }
        return out;
    }

    private static Iterator<DataSet> mapped(Iterator<DataSet> source, Function<INDArray, INDArray> features) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public DataSet next() {
                DataSet ds = source.next();
                DataSet mapped = new DataSet(features.apply(ds.getFeatures()), ds.getLabels());
                mapped.setExampleMetaData(ds.getExampleMetaData());
                return mapped;
            }
        };
    }

    @Override
    public EvaluationReport validate() {
        ComputationGraph upper = split.upper();
        int images = ctx.split().validation().images().size();
        if (valActivations != null) {
            List<Integer> order = IntStream.range(0, valActivations.length).boxed().toList();
            return FineTuneLoop.validatePass(ctx, keptBatches(order, valActivations,
                    ctx.split().validation().images(), ctx.config().inferenceBatch()), images,
                    x -> upper.outputSingle(false, x));
        }
        valIt.reset();
        return FineTuneLoop.validatePass(ctx, mapped(valIt, this::throughTrunk), images,
                x -> upper.outputSingle(false, x));
    }

    @Override
    public ComputationGraph classifier() {
        return classifier;
    }

    @Override
    public ComputationGraph learningGraph() {
        return split.upper();
    }

    @Override
    public void restore(ComputationGraph checkpoint) {
        EpochLoop.copyTrainingState(checkpoint, split.upper());
        split.copyInto(classifier);
    }

    @Override
    public double learningRate() {
        return EpochLoop.rateAtLastStep(schedule, split.upper());
    }

    @Override
    public void close() {
        if (trunkEngine != null) {
            trunkEngine.close();
        }
    }

    @Override
    public Map<String, String> engines() {
        String trunk = trunkChoice != null && trunkChoice.engine() != Engine.AUTO ? trunkChoice.describe()
                : trainActivations != null ? "feature cache" : "not decided before the first batch";
        Map<String, String> engines = new LinkedHashMap<>();
        engines.put("frozen blocks (up to " + split.boundary() + ")", trunk);
        engines.put("training", Engine.DL4J.cliName() + " (the unfrozen blocks and the head)");
        engines.put("validation", Engine.DL4J.cliName() + " (the unfrozen blocks and the head, on the frozen "
                + "blocks' outputs)");
        return engines;
    }
}
