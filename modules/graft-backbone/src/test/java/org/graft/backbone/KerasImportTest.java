package org.graft.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import org.graft.common.GraftException;
import org.graft.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras import against a NumPy reference, and clear errors for files that are not Keras models. */
class KerasImportTest {
    @TempDir
    Path tmp;

    /** The fixture's reference input: x[h,w,c] = sin(0.1h + 0.2w + 0.3c), NHWC. */
    static INDArray referenceInput() {
        float[] x = new float[32 * 32 * 3];
        for (int h = 0; h < 32; h++) {
            for (int w = 0; w < 32; w++) {
                for (int c = 0; c < 3; c++) {
                    x[(h * 32 + w) * 3 + c] = (float) Math.sin(0.1 * h + 0.2 * w + 0.3 * c);
                }
            }
        }
        return Nd4j.create(x, new long[]{1, 32, 32, 3}, 'c');
    }

    @Test
    void keepDimsModelMatchesTheNumpyReference() throws Exception {
        Backbone b = TinyBackbone.load(tmp);
        JsonNode ref = Json.mapper().readTree(TinyBackbone.fixture("tiny_keepdims_reference.json").toFile());
        assertEquals("gap", b.featureLayer(), "detected: the global pooling before the 1x1-conv classifier");
        assertArrayEquals(new long[]{16}, b.featureShape());

        Map<String, INDArray> acts = b.graph().feedForward(new INDArray[]{referenceInput()}, false, false);
        float[] features = acts.get("gap").toFloatVector();
        float[] probs = b.graph().outputSingle(referenceInput()).toFloatVector();
        for (int i = 0; i < 16; i++) {
            assertEquals(ref.get("features").get(i).asDouble(), features[i], 1e-4, "feature " + i);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(ref.get("probabilities").get(i).asDouble(), probs[i], 1e-5, "probability " + i);
        }
    }

    @Test
    void weightsOnlyFileSaysWhatToDo() {
        GraftException e = assertThrows(GraftException.class,
                () -> KerasImporter.importGraph(TinyBackbone.fixture("tiny_weights_only.h5")));
        assertTrue(e.getMessage().contains("weights only"), e.getMessage());
        assertTrue(e.hint().contains("model.save"), e.hint());
    }

    @Test
    void textFileIsNotHdf5() throws Exception {
        Path fake = Files.writeString(tmp.resolve("model.h5"), "this is not a model");
        GraftException e = assertThrows(GraftException.class, () -> KerasImporter.importGraph(fake));
        assertTrue(e.getMessage().contains("not an HDF5 file"), e.getMessage());
    }

    @Test
    void keras3ArchiveIsRecognised() throws Exception {
        Path keras3 = tmp.resolve("model.keras");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(keras3))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("config.json"));
            zip.write("{}".getBytes());
            zip.closeEntry();
        }
        GraftException e = assertThrows(GraftException.class, () -> KerasImporter.importGraph(keras3));
        assertTrue(e.getMessage().contains("Keras 3"), e.getMessage());
    }

    @Test
    void truncatedFileGivesAClearError() throws Exception {
        byte[] whole = Files.readAllBytes(TinyBackbone.file());
        Path cut = Files.write(tmp.resolve("cut.h5"), java.util.Arrays.copyOf(whole, whole.length / 3));
        assertThrows(GraftException.class, () -> KerasImporter.importGraph(cut));
    }

    @Test
    void anUnsupportedLayerIsNamed() {
        var config = KerasImporter.readPatchedConfig(TinyBackbone.file());
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("config").get("layers").get(3))
                .put("class_name", "MyFancyActivation");
        GraftException e = assertThrows(GraftException.class,
                () -> KerasImporter.importGraph(TinyBackbone.file(), config));
        assertTrue(e.getMessage().contains("MyFancyActivation"), e.getMessage());
    }

    @Test
    void unknownBackboneNameListsTheKnownOnes() {
        var loader = BackboneLoader.builder()
                .setFetcher(org.graft.common.Fetcher.builder().setCacheDir(tmp).optOffline(true).build()).build();
        GraftException e = assertThrows(GraftException.class, () -> loader.load("efficientnet-b9"));
        assertTrue(e.hint().contains("mobilenet-v1-0.25") && e.hint().contains("efficientnet-b0"), e.hint());
    }

    @Test
    void registryEntriesAreComplete() {
        BackboneRegistry r = BackboneRegistry.builtIn();
        assertTrue(r.contains(r.defaultName()));
        for (BackboneSpec s : r.all()) {
            assertTrue(s.file().url().startsWith("https://"), s.name());
            assertTrue(s.file().checksum() != null, s.name() + " has a published checksum");
        }
    }
}
