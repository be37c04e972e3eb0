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
        return smallGraph(new org.nd4j.linalg.learning.config.Sgd(0.1));
    }

    static ComputationGraph smallGraph(org.nd4j.linalg.learning.config.IUpdater updater) {
        var conf = new NeuralNetConfiguration.Builder().seed(3).updater(updater).graphBuilder()
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
                        Map.of("patience", 5), null),
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

    /** Rewrites {@code zip} with one entry replaced (or added), keeping the others byte for byte. */
    private Path withEntry(Path zip, String name, byte[] content, Path target) throws Exception {
        try (var in = new java.util.zip.ZipFile(zip.toFile());
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(target))) {
            var entries = in.entries();
            boolean replaced = false;
            while (entries.hasMoreElements()) {
                var e = entries.nextElement();
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                if (e.getName().equals(name)) {
                    out.write(content);
                    replaced = true;
                } else {
                    in.getInputStream(e).transferTo(out);
                }
                out.closeEntry();
            }
            if (!replaced) {
                out.putNextEntry(new java.util.zip.ZipEntry(name));
                out.write(content);
                out.closeEntry();
            }
        }
        return target;
    }

    private byte[] descriptionJson(ModelDescription d) throws Exception {
        return org.graft.common.Json.mapper().writeValueAsBytes(d);
    }

    @Test
    void aZipWithAJavaSerializedEntryIsRefusedUnread() throws Exception {
        Path zip = dir.resolve("model.zip");
        new ModelBundle(smallGraph(), description()).save(zip);
        // DL4J's ModelSerializer would hand preprocessor.bin to ObjectInputStream; Graft never opens it
        Path hostile = withEntry(zip, "preprocessor.bin", new byte[]{(byte) 0xac, (byte) 0xed, 0, 5},
                dir.resolve("hostile.zip"));
        GraftException e = assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.load(hostile));
        assertTrue(e.getMessage().contains("preprocessor.bin"), e.getMessage());
    }

    /** A few kilobytes that inflate to 80 MB of "JSON": refused from the size the zip states, before reading. */
    @Test
    void anEntryThatInflatesBeyondItsBoundIsRefusedUnread() throws Exception {
        Path zip = dir.resolve("model.zip");
        new ModelBundle(smallGraph(), description()).save(zip);
        Path bomb = withEntry(zip, "configuration.json", new byte[80 << 20], dir.resolve("bomb.zip"));
        assertTrue(Files.size(bomb) < 1 << 20, "the bomb is small on disk");
        GraftException e = assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.load(bomb));
        assertTrue(e.getMessage().contains("configuration.json claims"), e.getMessage());
    }

    /** Two entries of one name (which a zip may hold): which one counts would be a guess, so neither does. */
    @Test
    void aZipWithTwoEntriesOfOneNameIsRefused() throws Exception {
        Path zip = dir.resolve("model.zip");
        new ModelBundle(smallGraph(), description()).save(zip);
        Path extra = withEntry(zip, "graft-model.jsoX", descriptionJson(description()), dir.resolve("extra.zip"));
        byte[] bytes = Files.readAllBytes(extra);
        byte[] from = "graft-model.jsoX".getBytes();
        for (int at = indexOf(bytes, from); at >= 0; at = indexOf(bytes, from)) {
            bytes[at + from.length - 1] = 'n'; // in the local header and in the central directory
        }
        Path twice = Files.write(dir.resolve("twice.zip"), bytes);
        GraftException e = assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.load(twice));
        assertTrue(e.getMessage().contains("two entries named graft-model.json"), e.getMessage());
    }

    @Test
    void aChangedByteInsideAnEntryIsCaughtByItsChecksum() throws Exception {
        Path zip = dir.resolve("model.zip");
        new ModelBundle(smallGraph(), description()).save(zip);
        byte[] bytes = Files.readAllBytes(zip);
        // the description is stored last and deflated: change a byte in the middle of its compressed data
        int at = indexOf(bytes, "graft-model.json".getBytes()) + 40;
        bytes[at] ^= 0x10;
        Path changed = Files.write(dir.resolve("changed.zip"), bytes);
        assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.load(changed));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aDescriptionThatDisagreesWithTheNetworkIsRefused() throws Exception {
        Path zip = dir.resolve("model.zip");
        new ModelBundle(smallGraph(), description()).save(zip);
        ModelDescription d = description();
        ModelDescription three = new ModelDescription(d.formatVersion(), List.of("a", "b", "c"), d.preprocessing(),
                d.backbone(), d.training(), d.data(), d.validation(), d.versions(), d.createdAt());
        Path f = withEntry(zip, ModelBundle.DESCRIPTION_ENTRY, descriptionJson(three), dir.resolve("three.zip"));
        GraftException e = assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.load(f));
        assertTrue(e.getMessage().contains("3 labels") && e.getMessage().contains("2 outputs"), e.getMessage());

        ModelDescription twice = new ModelDescription(d.formatVersion(), List.of("a", "a"), d.preprocessing(),
                d.backbone(), d.training(), d.data(), d.validation(), d.versions(), d.createdAt());
        Path g = withEntry(zip, ModelBundle.DESCRIPTION_ENTRY, descriptionJson(twice), dir.resolve("twice.zip"));
        assertTrue(assertThrows(GraftException.class, () -> ModelBundle.load(g)).getMessage().contains("repeated"));

        String noPre = new String(descriptionJson(d)).replaceFirst("\"preprocessing\"", "\"preprocessingX\"");
        Path h = withEntry(zip, ModelBundle.DESCRIPTION_ENTRY, noPre.getBytes(), dir.resolve("nopre.zip"));
        assertTrue(assertThrows(GraftException.class, () -> ModelBundle.load(h)).getMessage()
                .contains("preprocessing"));

        String zeroCrop = new String(descriptionJson(d)).replaceFirst("\"cropHeight\" : 224", "\"cropHeight\" : 0");
        Path k = withEntry(zip, ModelBundle.DESCRIPTION_ENTRY, zeroCrop.getBytes(), dir.resolve("zero.zip"));
        assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.readDescription(k));
    }

    @Test
    void nonFiniteWeightsAreRefused() throws Exception {
        ComputationGraph g = smallGraph();
        g.params().putScalar(3, Double.NaN);
        Path zip = dir.resolve("nan.zip");
        new ModelBundle(g, description()).save(zip);
        GraftException e = assertThrows(org.graft.common.DamagedFileException.class, () -> ModelBundle.load(zip));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void theOptimiserStateTravelsWhenAsked() throws Exception {
        ComputationGraph g = smallGraph(new org.nd4j.linalg.learning.config.Adam(1e-3));
        g.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(6, 4), Nd4j.eye(2).repeat(0, 3).reshape(6, 2)));
        INDArray state = g.getUpdater().getStateViewArray().dup();
        Path zip = dir.resolve("ckpt.zip");
        new ModelBundle(g, description()).save(zip, true);
        INDArray back = ModelBundle.load(zip, true).graph().getUpdater().getStateViewArray();
        assertArrayEquals(state.ravel().toFloatVector(), back.ravel().toFloatVector(), 0f);
    }
}
