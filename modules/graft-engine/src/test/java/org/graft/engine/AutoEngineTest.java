package org.graft.engine;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.backbone.TinyBackbone;
import org.graft.data.Preprocessing;
import org.graft.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --engine auto}: ONNX Runtime takes over only when its first batch gives DL4J's outputs; a model it cannot
 * run or outputs that differ leave DL4J in charge, with the reason.
 */
class AutoEngineTest {
    @TempDir
    static Path tmp;

    @Test
    void onnxRuntimeRunsAModelWhoseFirstBatchMatchesDl4j() {
        Backbone b = TinyBackbone.load(tmp.resolve("cache"));
        INDArray batch = TestImages.smoothBatch(b.preprocessing());
        try (InferenceEngine auto = InferenceEngine.create(Engine.AUTO, b.graph(), b.preprocessing());
             InferenceEngine dl4j = InferenceEngine.create(Engine.DL4J, b.graph(), b.preprocessing())) {
            assertEquals(Engine.AUTO, auto.kind(), "undecided before the first batch");
            INDArray first = auto.output(batch);
            assertEquals(Engine.ONNXRUNTIME, auto.kind());
            EngineChoice choice = auto.choice();
            assertFalse(choice.fallback());
            assertTrue(choice.difference() <= EngineChoice.TOLERANCE, "checked: " + choice.describe());
            assertTrue(choice.describe().startsWith("onnxruntime (checked"), choice.describe());
            INDArray expected = dl4j.output(batch);
            assertTrue(AutoEngine.relativeDifference(expected, first) <= EngineChoice.TOLERANCE);
            assertTrue(AutoEngine.relativeDifference(expected, auto.output(batch)) <= EngineChoice.TOLERANCE,
                    "later batches too");
        }
    }

    @Test
    void outputsThatDifferKeepDl4jAndSayWhy() {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-differ"));
        INDArray batch = TestImages.smoothBatch(b.preprocessing());
        InferenceEngine dl4j = InferenceEngine.create(Engine.DL4J, b.graph(), b.preprocessing());
        // a candidate a little off: 1e-3 of the scale, ten times the tolerance
        InferenceEngine skewed = new InferenceEngine() {
            @Override
            public INDArray output(INDArray input) {
                INDArray out = dl4j.output(input).dup();
                return out.addi(out.amaxNumber().doubleValue() * 1e-3);
            }

            @Override
            public Engine kind() {
                return Engine.ONNXRUNTIME;
            }

            @Override
            public void close() {
            }
        };
        try (AutoEngine auto = new AutoEngine(dl4j, skewed, null)) {
            INDArray out = auto.output(batch);
            assertEquals(Engine.DL4J, auto.kind());
            assertTrue(auto.choice().fallback());
            assertEquals(1e-3, auto.choice().difference(), 1e-4);
            assertTrue(auto.choice().describe().contains("differ from DL4J's"), auto.choice().describe());
            assertEquals(0, AutoEngine.relativeDifference(dl4j.output(batch), out), 0, "DL4J's own outputs");
        }
    }

    @Test
    void aModelOnnxCannotHoldRunsInDl4jWithTheReason() {
        // a SameDiff lambda layer has no ONNX exporter
        var conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("lambda", new Doubling(), "dense").setOutputs("lambda")
                .setInputTypes(InputType.feedForward(4)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Preprocessing any = TinyBackbone.load(tmp.resolve("cache-refused")).preprocessing();
        try (InferenceEngine auto = AutoEngine.of(graph, any)) {
            assertEquals(Engine.DL4J, auto.kind(), "decided before any batch");
            assertTrue(auto.choice().fallback());
            assertTrue(auto.choice().reason().contains("lambda"), "names the layer: " + auto.choice().reason());
        }
    }

    /** x -> 2x, in SameDiff: something DL4J runs and the exporter does not know. */
    static final class Doubling extends SameDiffLambdaLayer {
        @Override
        public SDVariable defineLayer(SameDiff sd, SDVariable x) {
            return x.mul(2);
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType inputType) {
            return inputType;
        }
    }
}
