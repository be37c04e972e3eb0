package org.graft.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DL4J's oneDNN helpers are really created once enabled (the bridge class answers DL4J's check), and a network
 * computes the same with them as without, forward and backward, in both layouts.
 */
class OneDnnHelpersTest {
    private final String before = System.getProperty(OneDnnHelpers.DISABLE_PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(OneDnnHelpers.DISABLE_PROPERTY);
        } else {
            System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, before);
        }
    }

    private static ComputationGraph graph(CNN2DFormat format) {
        var conf = new NeuralNetConfiguration.Builder().seed(7).graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(8)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.SWISH).dataFormat(format).build(),
                        "in")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(format).build(), "conv")
                .addLayer("conv2", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.IDENTITY)
                        .dataFormat(format).build(), "bn")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).format(format)
                        .activation(Activation.IDENTITY).build(), "conv2")
                .setOutputs("loss").setInputTypes(InputType.convolutional(15, 15, 3, format)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void helpersAreCreatedAndComputeWhatDl4jComputes() {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, "true");
            ComputationGraph plain = graph(format);
            assertNull(plain.getLayer("conv").getHelper(), "switched off: DL4J's own im2col path");
            System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, "false");
            assumeTrue(OneDnnHelpers.active(), "Skipped: this ND4J build has no oneDNN (a GPU or a plain CPU build)");
            ComputationGraph helped = graph(format);
            assertInstanceOf(MKLDNNConvHelper.class, helped.getLayer("conv").getHelper(), format.name());
            helped.setParams(plain.params());
            INDArray x = Nd4j.rand(DataType.FLOAT, format == CNN2DFormat.NCHW ? new long[]{4, 3, 15, 15}
                    : new long[]{4, 15, 15, 3});
            INDArray y = Nd4j.rand(DataType.FLOAT, helped.outputSingle(x).shape());
            assertClose(plain.outputSingle(false, x), helped.outputSingle(false, x), format + " inference");
            assertClose(plain.outputSingle(true, x), helped.outputSingle(true, x), format + " training mode");
            plain.setInputs(x);
            plain.setLabels(y);
            helped.setInputs(x);
            helped.setLabels(y);
            plain.computeGradientAndScore();
            helped.computeGradientAndScore();
            assertClose(plain.gradient().gradient(), helped.gradient().gradient(), format + " gradients");
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
        double worst = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(worst <= 1e-4 * scale, what + ": differ by " + worst + " of " + scale);
    }
}
