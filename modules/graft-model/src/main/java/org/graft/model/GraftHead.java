package org.graft.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The classifier Graft grafts onto a backbone, {@code graft_dropout -> graft_output}: its layers, the head alone as
 * a graph (trained on features), and a classifier cut where the head begins (the feature extractor). Training
 * (graft-train) and Spark (graft-spark) build and take apart models through this one definition.
 */
public final class GraftHead {
    /** The global average pooling the head adds when the backbone's features are a map. */
    public static final String POOL = "graft_pool";
    public static final String DROPOUT = "graft_dropout";
    public static final String OUTPUT = "graft_output";
    /** The input of {@link #standalone}: one feature vector per image. */
    public static final String FEATURES = "features";

    private GraftHead() {
    }

    /** Dropout that drops with probability {@code dropout} (Keras' convention; DL4J's Dropout takes the keep one). */
    public static DropoutLayer dropoutLayer(long nIn, double dropout) {
        return new DropoutLayer.Builder().dropOut(new Dropout(1.0 - dropout)).nIn(nIn).nOut(nIn).build();
    }

    /**
     * Softmax with cross-entropy, weighted per class ({@code classWeights} in label order; null for none).
     * One linear layer on frozen features is convex: starting from zero (uniform probabilities, as ViT fine-tuning
     * heads do) converges in far fewer steps than Xavier. Measured on hymenoptera, MobileNet 0.25: 0.88 val
     * accuracy after one epoch vs 0.56 with Xavier.
     */
    public static OutputLayer outputLayer(long nIn, int numClasses, double[] classWeights) {
        return new OutputLayer.Builder(classWeights == null ? new LossMCXENT()
                : new LossMCXENT(Nd4j.createFromArray(classWeights).castTo(DataType.FLOAT)))
                .nIn(nIn).nOut(numClasses)
                .activation(Activation.SOFTMAX)
                .weightInit(WeightInit.ZERO)
                .build();
    }

    /** The head alone (features in, probabilities out) with this loss and updater, initialised. */
    public static ComputationGraph standalone(long nIn, int numClasses, double dropout, ILossFunction loss,
                                              IUpdater updater, long seed) {
        OutputLayer output = outputLayer(nIn, numClasses, null);
        output.setLossFn(loss);
        var conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .graphBuilder()
                .addInputs(FEATURES)
                .addLayer(DROPOUT, dropoutLayer(nIn, dropout), FEATURES)
                .addLayer(OUTPUT, output, DROPOUT)
                .setOutputs(OUTPUT)
                .build();
        ComputationGraph head = new ComputationGraph(conf);
        head.init();
        return head;
    }

    /**
     * The classifier without its head, giving {@code outputVertex}'s output: computes features without keeping
     * every activation. Parameters are copied by name afterwards ({@link GraphParams#copyByName}).
     */
    public static ComputationGraph cut(ComputationGraph classifier, String outputVertex) {
        ComputationGraph extractor = new TransferLearning.GraphBuilder(classifier)
                .removeVertexAndConnections(OUTPUT)
                .removeVertexAndConnections(DROPOUT)
                .setOutputs(outputVertex)
                .build();
        GraphParams.copyByName(classifier, extractor);
        return extractor;
    }
}
