package org.graft.spark;

import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.graft.common.BadOptionException;
import org.graft.model.GraftHead;
import org.graft.model.GraphParams;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.List;

/**
 * The two halves of a Graft classifier: the feature extractor (the graph up to the head's input) and the head
 * ({@code graft_dropout -> graft_output}, the names {@code HeadGrafter} gives them).
 */
public final class FeatureGraphs {
    public static final String DROPOUT = GraftHead.DROPOUT;
    public static final String OUTPUT = GraftHead.OUTPUT;
    public static final String HEAD_INPUT = GraftHead.FEATURES;

    private FeatureGraphs() {
    }

    /** The vertex whose output the head reads: the pooled features, or the backbone's feature layer. */
    public static String headInput(ComputationGraph classifier) {
        List<String> inputs = classifier.getConfiguration().getVertexInputs().get(DROPOUT);
        if (inputs == null || inputs.size() != 1 || classifier.getConfiguration().getVertices().get(OUTPUT) == null) {
            throw new BadOptionException("The model has no Graft head (" + DROPOUT + " -> " + OUTPUT + ").",
                    "Use a model.zip written by 'graft train'.");
        }
        return inputs.get(0);
    }

    /** Length of one image's feature vector. */
    public static long featureSize(ComputationGraph classifier) {
        return ((OutputLayer) classifier.getLayer(OUTPUT).conf().getLayer()).getNIn();
    }

    /**
     * The classifier cut at its head's input: images in, feature vectors out. Parameters are copied key by key
     * afterwards (GraftHead.cut): TransferLearning.GraphBuilder scrambles the
     * parameters of depthwise convolutions with a bias (see DEVELOPERS.md).
     */
    public static ComputationGraph extractor(ComputationGraph classifier) {
        return GraftHead.cut(classifier, headInput(classifier));
    }

    /**
     * A head alone (features in, probabilities out) as Graft trains it: dropout (probability {@code dropout} of
     * dropping), then softmax with cross-entropy, starting from zero weights (one linear layer on fixed features is
     * convex; uniform probabilities converge in fewer steps), Adam at {@code learningRate}.
     */
    public static ComputationGraph head(long nIn, int numClasses, double dropout, double learningRate, long seed) {
        return GraftHead.standalone(nIn, numClasses, dropout, new LossMCXENT(), new Adam(learningRate), seed);
    }

    /**
     * The classifier with its head replaced by {@code head}'s (which may have another number of classes); the
     * backbone is copied unchanged.
     */
    public static ComputationGraph withHead(ComputationGraph classifier, ComputationGraph head) {
        long classes = ((OutputLayer) head.getLayer(OUTPUT).conf().getLayer()).getNOut();
        long before = ((OutputLayer) classifier.getLayer(OUTPUT).conf().getLayer()).getNOut();
        ComputationGraph result = classifier;
        if (classes != before) {
            result = new TransferLearning.GraphBuilder(classifier)
                    .nOutReplace(OUTPUT, (int) classes, WeightInit.ZERO)
                    .build();
            GraphParams.copyByName(classifier, result);
        } else {
            result = classifier.clone();
        }
        result.getLayer(OUTPUT).setParams(head.getLayer(OUTPUT).params().dup());
        return result;
    }

}
