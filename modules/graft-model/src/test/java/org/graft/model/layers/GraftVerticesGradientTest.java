package org.graft.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning a converted model backpropagates through Graft's vertices and activations: DL4J's own gradient check
 * (analytic against numeric gradients of every parameter, in double precision) on a graph that puts each of them
 * between layers with weights, NCHW as ONNX models are.
 */
class GraftVerticesGradientTest {

    @Test
    void gradientsThroughEveryGraftVertexAndActivation() {
        Nd4j.getRandom().setSeed(12345);
        var conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).updater(new NoOp()).seed(12345).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(5, 5, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4)
                        .activation(Activation.TANH).build(), "in")
                .addVertex("pad", new ConstantPadVertex(1, 0, 0, 2, 0.3), "conv1")
                .addVertex("slice", new ChannelSliceVertex(1, 3), "pad")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(3)
                        .activation(new HardSwishActivation()).build(), "slice")
                .addLayer("squeeze", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false)
                        .build(), "conv2")
                .addLayer("gate", new ConvolutionLayer.Builder(1, 1).nOut(3)
                        .activation(new HardSigmoidActivation(1.0 / 6, 0.5)).build(), "squeeze")
                .addVertex("excite", new BroadcastMultiplyVertex(), "conv2", "gate")
                .addVertex("affine", new ChannelAffineVertex(new double[]{0.5, -1.5, 2}, new double[]{0.1, 0, -0.2},
                        false), "excite")
                .addLayer("clip", new ActivationLayer.Builder().activation(new ClipActivation(-0.8, 1.5)).build(),
                        "affine")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "clip")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 3, 5, 5).subi(0.5).muli(4);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, 2, 2);
        DataType before = Nd4j.dataType();
        DataType beforeFloat = Nd4j.defaultFloatingPointType();
        boolean ok;
        try {
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
            ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[]{input}).labels(new INDArray[]{labels})
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
        } finally {
            Nd4j.setDefaultDataTypes(before, beforeFloat);
        }
        assertTrue(ok, "analytic and numeric gradients agree (see the log for the parameters that differ)");
    }
}
