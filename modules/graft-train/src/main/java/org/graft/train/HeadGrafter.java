package org.graft.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.graft.backbone.Backbone;
import org.graft.backbone.FeatureLayers;
import org.graft.data.Preprocessing;
import org.graft.model.GraftHead;
import org.graft.model.GraphParams;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.List;

/**
 * Grafts a new classifier onto a backbone with DL4J's {@link TransferLearning.GraphBuilder}: everything after the
 * feature layer is removed, and {@code Dropout(p) -> Dense(softmax, one unit per class)} is added. In
 * {@link Mode#TRANSFER} the backbone up to the feature layer is frozen; frozen layers run in inference mode, so
 * BatchNorm uses its stored ImageNet statistics.
 */
public final class HeadGrafter {
    public static final String POOL = GraftHead.POOL;
    public static final String DROPOUT = GraftHead.DROPOUT;
    public static final String OUTPUT = GraftHead.OUTPUT;

    private HeadGrafter() {
    }

    public static ComputationGraph graft(Backbone backbone, int numClasses, TrainingConfig config) {
        return graft(backbone, numClasses, config, null);
    }

    /**
     * As {@link #graft(Backbone, int, TrainingConfig)}, with a class-weighted loss ({@code classWeights} in label
     * order; null for none). In fine-tune mode with {@code --unfreeze N}, all but the backbone's last N blocks
     * ({@link BackboneBlocks}) stay frozen.
     */
    public static ComputationGraph graft(Backbone backbone, int numClasses, TrainingConfig config,
                                         double[] classWeights) {
        ComputationGraph source = backbone.graph();
        String feature = backbone.featureLayer();
        FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder()
                .updater(new Adam(config.learningRate()))
                .seed(config.seed())
                .build();
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(source)
                .fineTuneConfiguration(fineTune);
        if (config.mode() == Mode.TRANSFER) {
            builder.setFeatureExtractor(feature);
        } else if (config.unfreeze() != TrainingConfig.ALL_BLOCKS) {
            List<String> frozen = BackboneBlocks.of(source, feature).frozenLayersKeepingLast(config.unfreeze());
            if (!frozen.isEmpty()) {
                builder.setFeatureExtractor(frozen.toArray(new String[0]));
            }
        }
        for (String v : FeatureLayers.downstreamOf(source, feature)) {
            builder.removeVertexAndConnections(v);
        }
        String headInput = feature;
        if (backbone.spatialFeatures()) {
            // a feature map: average it to one vector per image first
            boolean nhwc = backbone.preprocessing().layout() == Preprocessing.Layout.NHWC;
            builder.addLayer(POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG)
                    .poolingDimensions(nhwc ? new int[]{1, 2} : new int[]{2, 3}).build(), feature);
            headInput = POOL;
        }
        long nIn = headInputSize(backbone);
        builder.addLayer(DROPOUT, dropoutLayer(nIn, config), headInput);
        builder.addLayer(OUTPUT, outputLayer(nIn, numClasses, classWeights), DROPOUT);
        builder.setOutputs(OUTPUT);
        ComputationGraph grafted = builder.build();
        GraphParams.copyByName(source, grafted);
        return grafted;
    }

    /** The vertex whose output the head consumes: the pooled features if the head pools, else the feature layer. */
    public static String headInput(Backbone backbone) {
        return backbone.spatialFeatures() ? POOL : backbone.featureLayer();
    }

    /** Feature size entering the head. */
    public static long headInputSize(Backbone backbone) {
        return backbone.spatialFeatures()
                ? backbone.featureShape()[backbone.preprocessing().layout() == Preprocessing.Layout.NHWC ? 2 : 0]
                : backbone.featureSize();
    }

    /** The grafted graph cut at {@code outputVertex}: computes features without keeping every activation. */
    public static ComputationGraph featureExtractor(ComputationGraph grafted, String outputVertex) {
        return GraftHead.cut(grafted, outputVertex);
    }

    /**
     * A graph of the head alone (features in, probabilities out), starting from the grafted graph's head, with its
     * loss (class weights included) and Adam following {@code learningRate}.
     */
    static ComputationGraph headOnly(ComputationGraph grafted, long nIn, TrainingConfig config,
                                     ISchedule learningRate) {
        OutputLayer graftedOutput = (OutputLayer) grafted.getLayer(OUTPUT).conf().getLayer();
        // the loss is stateless apart from its class weights, so the head shares it
        ComputationGraph head = GraftHead.standalone(nIn, (int) graftedOutput.getNOut(), config.dropout(),
                graftedOutput.getLossFn(), new Adam(learningRate), config.seed());
        head.getLayer(OUTPUT).setParams(grafted.getLayer(OUTPUT).params().dup());
        return head;
    }

    /** Copies the trained head's parameters into the grafted graph. */
    static void copyHeadInto(ComputationGraph head, ComputationGraph grafted) {
        grafted.getLayer(OUTPUT).setParams(head.getLayer(OUTPUT).params().dup());
    }

    static DropoutLayer dropoutLayer(long nIn, TrainingConfig config) {
        return GraftHead.dropoutLayer(nIn, config.dropout());
    }

    /**
     * The same graph with Adam following {@code head} for the new head and {@code backbone} for every other layer
     * that learns (discriminative learning rates: the pretrained layers need far smaller steps than a new layer),
     * and its step counter set to {@code step} (0 for a new phase; later when resuming one).
     */
    static ComputationGraph withLearningRates(ComputationGraph graph, ISchedule head, ISchedule backbone, int step) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (var e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                // frozen layers are FrozenLayer wrappers, not BaseLayers: they keep their no-op updater
                layer.setIUpdater(new Adam(OUTPUT.equals(e.getKey()) ? head : backbone));
            }
        }
        conf.setIterationCount(step);
        conf.setEpochCount(0);
        ComputationGraph scheduled = new ComputationGraph(conf);
        scheduled.init(graph.params().dup(), false);
        return scheduled;
    }

    static OutputLayer outputLayer(long nIn, int numClasses, double[] classWeights) {
        return GraftHead.outputLayer(nIn, numClasses, classWeights);
    }
}
