package org.graft.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graft's activations and padding vertex (what ONNX models need beyond DL4J): values against the formulas, gradients
 * against finite differences (fine-tuning backpropagates through them), and JSON round trips.
 */
class OnnxActivationsTest {

    private static final double[] XS = {-7, -3.5, -2.9, -1, -0.3, 0.2, 0.9, 2.4, 2.95, 3.2, 5.9, 6.5, 9};

    private static void check(IActivation act, DoubleUnaryOperator f) {
        INDArray x = Nd4j.createFromArray(XS).reshape(1, XS.length);
        INDArray y = act.getActivation(x.dup(), false);
        for (int i = 0; i < XS.length; i++) {
            assertEquals(f.applyAsDouble(XS[i]), y.getDouble(i), 1e-9, act + " at " + XS[i]);
        }
        INDArray eps = Nd4j.rand(DataType.DOUBLE, 1, XS.length).addi(0.5);
        INDArray grad = act.backprop(x.dup(), eps).getFirst();
        double h = 1e-6;
        for (int i = 0; i < XS.length; i++) {
            double numeric = (f.applyAsDouble(XS[i] + h) - f.applyAsDouble(XS[i] - h)) / (2 * h);
            assertEquals(numeric * eps.getDouble(i), grad.getDouble(i), 1e-5, act + " gradient at " + XS[i]);
        }
    }

    private static double hardSigmoid(double x, double alpha, double beta) {
        return Math.max(0, Math.min(1, alpha * x + beta));
    }

    @Test
    void hardSigmoidWithPyTorchsSlope() {
        check(new HardSigmoidActivation(1.0 / 6, 0.5), x -> hardSigmoid(x, 1.0 / 6, 0.5));
        check(new HardSigmoidActivation(0.2, 0.5), x -> hardSigmoid(x, 0.2, 0.5));
    }

    @Test
    void hardSwish() {
        check(new HardSwishActivation(), x -> x * hardSigmoid(x, 1.0 / 6, 0.5));
    }

    @Test
    void clip() {
        check(new ClipActivation(-0.5, 2), x -> Math.max(-0.5, Math.min(2, x)));
    }

    @Test
    void constantPadVertexPadsAndPassesGradientsBack() {
        var conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(3, 4, 2))
                .addVertex("pad", new ConstantPadVertex(1, 0, 2, 1, -5), "in")
                .addLayer("act", new ActivationLayer.Builder().activation(new ClipActivation(-9, 9)).build(), "pad")
                .setOutputs("act").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 3, 4);
        INDArray y = graph.outputSingle(x);
        assertEquals(List.of(2L, 2L, 4L, 7L), List.of(y.size(0), y.size(1), y.size(2), y.size(3)));
        assertEquals(-5, y.getDouble(0, 0, 0, 0), 0);      // top row
        assertEquals(-5, y.getDouble(1, 1, 3, 6), 0);      // right column
        assertEquals(x.getDouble(1, 1, 2, 3), y.getDouble(1, 1, 3, 5), 1e-7);
        // JSON round trip keeps the padding
        var restored = org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf.getVertices().get("pad"), restored.getVertices().get("pad"));
        assertTrue(restored.toJson().contains("HardSwish") || restored.toJson().contains("Clip"));
    }
}
