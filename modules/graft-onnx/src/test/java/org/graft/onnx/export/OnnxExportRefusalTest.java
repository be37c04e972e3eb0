package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.UnsupportedModelException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the export registry has no exporter for is refused naming the layer, not written wrong. */
class OnnxExportRefusalTest {
    private static ComputationGraph oneLayer(Layer layer) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("odd", layer, "in").setOutputs("odd").build());
        g.init();
        return g;
    }

    private static void refusedNaming(ComputationGraph graph, String... mentions) {
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxExporter.export(graph, InputType.convolutional(8, 8, 3), Map.of()));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), e.getMessage() + " should mention " + m);
        }
        assertTrue(e.hint() != null && e.hint().contains("--engine dl4j"), e.hint());
    }

    @Test
    void aSubclassOfAnExactlyRegisteredLayer() {
        // Deconvolution2D extends ConvolutionLayer but computes something else
        refusedNaming(oneLayer(new Deconvolution2D.Builder(3, 3).nOut(4).build()), "'odd'", "Deconvolution2D");
    }

    @Test
    void anActivationWithoutAnOnnxForm() {
        refusedNaming(oneLayer(new ActivationLayer.Builder().activation(new ActivationReLU(null, 0.5, 0.0))
                .build()), "'odd'", "threshold 0.5");
    }

    @Test
    void aVertexWithoutAnExporter() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(4))
                .addVertex("odd", new ScaleVertex(2.0), "in").setOutputs("odd")
                .build());
        g.init();
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxExporter.export(g, InputType.feedForward(4), Map.of()));
        assertTrue(e.getMessage().contains("'odd'") && e.getMessage().contains("ScaleVertex"), e.getMessage());
    }
}
