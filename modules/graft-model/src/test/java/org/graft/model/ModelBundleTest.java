package org.graft.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.GraftException;
import org.graft.data.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBundleTest {
    @TempDir
    Path dir;

    static ComputationGraph smallGraph() {
        var conf = new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    static ModelDescription description() {
        return new ModelDescription(ModelDescription.FORMAT_VERSION, List.of("good", "bad"),
                Preprocessing.kerasTf(224, Preprocessing.Layout.NHWC),
                new ModelDescription.BackboneInfo("mobilenet-v1-0.25", "m.h5", "abc", "gap", "Apache-2.0"),
                new ModelDescription.TrainingInfo("transfer", 3, 2, 32, 1e-3, "Adam", 42, 0.2, 1.5,
                        Map.of("patience", 5)),
                new ModelDescription.DataInfo("/data/train", "/data/val", "def", 0.2, 10, 3, 1,
                        Map.of("good", 5L, "bad", 5L), "none"),
                Map.of("accuracy", 0.9), Map.of("graft", "test"), "2026-11-29T00:00:00Z");
    }

    @Test
    void saveLoadGivesIdenticalOutputsAndDescription() throws Exception {
        ComputationGraph g = smallGraph();
        INDArray x = Nd4j.rand(3, 4);
        INDArray before = g.outputSingle(x);
        Path zip = dir.resolve("model.zip");
        new ModelBundle(g, description()).save(zip);

        ModelBundle back = ModelBundle.load(dir);  // a run folder resolves to its model.zip
        assertArrayEquals(before.ravel().toFloatVector(), back.graph().outputSingle(x).ravel().toFloatVector(), 0f);
        assertEquals(description(), back.description());
        assertEquals(description().preprocessing(), ModelBundle.readDescription(zip).preprocessing());
    }

    @Test
    void aPlainDl4jZipIsNotAGraftModel() throws Exception {
        Path zip = dir.resolve("plain.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(smallGraph(), zip.toFile(), false);
        GraftException e = assertThrows(GraftException.class, () -> ModelBundle.load(zip));
        assertTrue(e.getMessage().contains("not a Graft model"), e.getMessage());
    }

    @Test
    void truncatedOrMissingFilesGiveClearErrors() throws Exception {
        Path zip = dir.resolve("model.zip");
        new ModelBundle(smallGraph(), description()).save(zip);
        byte[] bytes = Files.readAllBytes(zip);
        Path cut = Files.write(dir.resolve("cut.zip"), Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(GraftException.class, () -> ModelBundle.load(cut));
        GraftException missing = assertThrows(GraftException.class, () -> ModelBundle.load(dir.resolve("nope")));
        assertTrue(missing.hint().contains("graft train"), missing.hint());
    }
}
