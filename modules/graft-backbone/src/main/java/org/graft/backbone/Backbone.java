package org.graft.backbone;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.Preprocessing;
import org.graft.model.BatchNormFolding;

import java.nio.file.Path;

/**
 * A pretrained network ready to have a new classifier grafted on: the DL4J graph, the layer whose output is the
 * image's feature vector, and the preprocessing its weights were trained with.
 *
 * @param name         registry name, or the file name for a user's own model
 * @param featureLayer the vertex whose output feeds the new head
 * @param featureShape shape of that output for one image, without the batch dimension (e.g. [256])
 * @param source       the file the weights came from
 * @param sha256       that file's checksum (provenance)
 */
public record Backbone(String name, ComputationGraph graph, String featureLayer, long[] featureShape,
                       Preprocessing preprocessing, Path source, String sha256, String license) {

    /** Number of features per image when the feature output is a flat vector. */
    public long featureSize() {
        long n = 1;
        for (long d : featureShape) {
            n *= d;
        }
        return n;
    }

    /** True if the feature layer outputs a spatial map (the head must pool it first). */
    public boolean spatialFeatures() {
        return featureShape.length == 3;
    }

    /**
     * The same architecture with freshly initialised weights: a control that shows how much the pretrained
     * weights contribute (and that they were really loaded).
     */
    public Backbone withRandomWeights(long seed) {
        var conf = graph.getConfiguration().clone();
        // init() seeds ND4J's generator from the configuration's seed before drawing the weights
        conf.getDefaultConfiguration().setSeed(seed);
        ComputationGraph fresh = new ComputationGraph(conf);
        fresh.init();
        return new Backbone(name + " (random weights)", fresh, featureLayer, featureShape, preprocessing, source,
                "random-seed-" + seed, license);
    }

    /**
     * The same backbone with each BatchNorm that follows a convolution folded into it: the BatchNorm statistics
     * become fixed (a frozen backbone, or fine-tuning with frozen BatchNorm). Itself if there is nothing to fold.
     */
    public Backbone withBatchNormFolded() {
        ComputationGraph folded = BatchNormFolding.fold(graph, java.util.Set.of(featureLayer));
        return folded == graph ? this
                : new Backbone(name, folded, featureLayer, featureShape, preprocessing, source, sha256, license);
    }

    public String inputName() {
        return graph.getConfiguration().getNetworkInputs().get(0);
    }
}
