package org.graft.onnx.imports;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.graft.common.UnsupportedModelException;
import org.graft.model.BatchNormFolding;
import org.graft.onnx.OnnxFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ONNX op the converter supports, one small model each (src/test/resources/onnx-ops, made by
 * fixtures/make_onnx_fixtures.py with PyTorch's outputs as reference), as converted and with BatchNorm folded
 * afterwards ({@link BatchNormFolding}), and the ops and attributes it refuses.
 */
class OnnxOpsTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    static Path dir() {
        return OnnxFixtures.opsDir();
    }

    @TestFactory
    List<DynamicTest> everyCase() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : OnnxFixtures.opsCases(false)) {
            String name = c.get("name").asText();
            Path model = dir().resolve(c.get("file").asText());
            if (c.get("expect").asText().equals("error")) {
                List<String> mentions = StreamSupport.stream(c.get("error_mentions").spliterator(), false)
                        .map(JsonNode::asText).toList();
                tests.add(DynamicTest.dynamicTest(name + " is refused", () -> refused(model, mentions)));
            } else {
                tests.add(DynamicTest.dynamicTest(name + " " + c.get("ops"), () -> matches(c, model)));
            }
        }
        return tests;
    }

    private void matches(JsonNode c, Path model) throws IOException {
        INDArray input = OnnxFixtures.readF32(dir().resolve(c.get("input").asText()),
                OnnxFixtures.shape(c.get("input_shape")));
        INDArray expected = OnnxFixtures.readF32(dir().resolve(c.get("output").asText()),
                OnnxFixtures.shape(c.get("output_shape")));
        for (boolean fold : new boolean[]{false, true}) {
            OnnxModel converted = OnnxConverter.builder().build().convert(model);
            // folded as production folds (BackboneLoader, Backbone.withBatchNormFolded): after conversion
            ComputationGraph graph = fold ? BatchNormFolding.fold(converted.graph(), Set.of()) : converted.graph();
            INDArray actual = graph.outputSingle(false, input);
            assertClose(expected, actual, c.get("name").asText() + (fold ? " (BN folded)" : ""));
            if (!fold) {
                // what a bundle stores: the configuration as JSON (custom layers included) and the weights
                Path saved = tmp.resolve("saved.zip");
                ModelSerializer.writeModel(converted.graph(), saved.toFile(), false);
                ComputationGraph restored = ModelSerializer.restoreComputationGraph(saved.toFile(), false);
                assertClose(expected, restored.outputSingle(false, input), c.get("name").asText() + " after save");
            }
        }
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.sub(actual.castTo(expected.dataType())).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "%s: max abs diff %.3g > %.0e", what, diff,
                TOLERANCE));
    }

    private static void refused(Path model, List<String> mentions) {
        // an intact model Graft cannot use: an unsupported op or attribute
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxConverter.builder().build().convert(model));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should mention " + m);
        }
        assertTrue(e.getMessage().contains(model.getFileName().toString()), "names the file: " + e.getMessage());
    }
}
