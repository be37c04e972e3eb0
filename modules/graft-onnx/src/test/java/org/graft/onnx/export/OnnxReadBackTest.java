package org.graft.onnx.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.Json;
import org.graft.data.Preprocessing;
import org.graft.onnx.Dl4jGraphs;
import org.graft.onnx.OnnxFixtures;
import org.graft.onnx.imports.OnnxConverter;
import org.graft.onnx.imports.OnnxModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graft reads back what it exports: every graph the export tests build (the converter fixtures imported, and
 * DL4J graphs built directly, a Keras-like NHWC one among them), exported and imported again, gives the original's
 * outputs to 1e-5 on random inputs in the original's own layout, and its labels and preprocessing come back. The
 * DL4J graphs' exports are also run in ONNX Runtime, so that the file means what both sides read into it.
 */
class OnnxReadBackTest {
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> everyConverterFixtureReadsBack() throws IOException {
        Path dir = OnnxFixtures.opsDir();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : OnnxFixtures.opsCases(true)) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ComputationGraph original = OnnxConverter.builder().build().convert(dir.resolve(c.get("file")
                        .asText())).graph();
                long[] shape = OnnxFixtures.shape(c.get("input_shape"));
                shape[0] = 2;
                INDArray x = Dl4jGraphs.randomInput(shape, 7);
                INDArray expected = original.outputSingle(false, x);
                Optional<Preprocessing> pre = shape.length == 4 && shape[1] == 3
                        ? Optional.of(new Preprocessing((int) Math.max(shape[2], shape[3]), (int) shape[2],
                        (int) shape[3], Preprocessing.ChannelOrder.RGB, 1 / 255.0, new double[]{0.5, 0.4, 0.3},
                        new double[]{0.2, 0.3, 0.25}, Preprocessing.Layout.NCHW, Preprocessing.Interpolation.BICUBIC))
                        : Optional.empty();
                List<String> labels = expected.rank() == 2 ? IntStream.range(0, (int) expected.size(1))
                        .mapToObj(i -> "class " + i).toList() : List.of();
                Map<String, String> metadata = new java.util.HashMap<>();
                if (!labels.isEmpty()) {
                    metadata.put(OnnxModel.LABELS, Json.mapper().writeValueAsString(labels));
                }
                pre.ifPresent(p -> metadata.put(OnnxModel.PREPROCESSING, Dl4jGraphs.metadata(labels, p)
                        .get(OnnxModel.PREPROCESSING)));
                InputType type = shape.length == 4
                        ? InputType.convolutional(shape[2], shape[3], shape[1], CNN2DFormat.NCHW)
                        : InputType.feedForward(shape[1]);
                OnnxModel back = readBack(name, OnnxExporter.export(original, type, metadata).toByteArray());
                assertClose(expected, back.graph().outputSingle(false, x), name + ": read back vs original");
                assertEquals(Preprocessing.Layout.NCHW, back.inputLayout(), name);
                assertEquals(labels, back.labels(), name + ": labels");
                assertEquals(pre, back.preprocessing(), name + ": preprocessing");
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> dl4jGraphsReadBack() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Dl4jGraphs.Model m : Dl4jGraphs.all()) {
            tests.add(DynamicTest.dynamicTest(m.name(), () -> {
                byte[] onnx = m.export();
                INDArray x = m.input(3, 11);
                INDArray expected = m.graph().outputSingle(false, x);
                OnnxRoundTripTest.assertClose(expected, OnnxRoundTripTest.runInOrt(onnx, x), m.name()
                        + ": ONNX Runtime vs DL4J");

                OnnxModel back = readBack(m.name(), onnx);
                assertClose(expected, back.graph().outputSingle(false, x), m.name() + ": read back vs original");
                assertEquals(m.preprocessing().layout(), back.inputLayout(), m.name() + ": layout");
                assertEquals(m.labels(), back.labels(), m.name() + ": labels");
                assertEquals(Optional.of(m.preprocessing()), back.preprocessing(), m.name() + ": preprocessing");
                assertArrayEquals(new long[]{3, m.preprocessing().cropHeight(), m.preprocessing().cropWidth()},
                        back.inputShape(), m.name() + ": [C, H, W] whatever the layout");

                // and once more: the read-back graph exports and reads back the same
                Dl4jGraphs.Model again = new Dl4jGraphs.Model(m.name(), back.graph(), m.preprocessing(), m.labels());
                OnnxModel twice = readBack(m.name() + "-2", again.export());
                assertClose(expected, twice.graph().outputSingle(false, x), m.name() + ": read back twice");
            }));
        }
        return tests;
    }

    private OnnxModel readBack(String name, byte[] onnx) throws IOException {
        Path file = Files.write(tmp.resolve(name.replaceAll("[^A-Za-z0-9_-]", "_") + ".onnx"), onnx);
        return OnnxConverter.builder().build().convert(file);
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.castTo(DataType.FLOAT).sub(actual.castTo(DataType.FLOAT)).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "%s: max abs diff %.3g", what, diff));
    }
}
