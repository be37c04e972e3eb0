package org.graft.onnx.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.onnx.OnnxFixtures;
import org.graft.onnx.imports.OnnxConverter;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch → ONNX → DL4J → ONNX → ONNX Runtime: on every one-op model of the converter's fixtures the export gives
 * DL4J's own outputs, and PyTorch's. (graft-engine's OnnxExportTest does the same through its engines for Keras
 * imports and EfficientNet-B0.)
 */
class OnnxRoundTripTest {
    static final double TOLERANCE = 1e-4;

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.castTo(DataType.FLOAT).sub(actual.castTo(DataType.FLOAT)).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "%s: max abs diff %.3g", what, diff));
    }

    /** ONNX Runtime's first output for {@code input}. */
    static INDArray runInOrt(byte[] model, INDArray input) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT); // as graft-engine runs it
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.dup('c').data().asFloat()),
                         input.shape());
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                FloatBuffer values = out.getFloatBuffer();
                float[] copy = new float[values.remaining()];
                values.get(copy);
                return Nd4j.create(copy, out.getInfo().getShape(), 'c');
            }
        }
    }

    @TestFactory
    List<DynamicTest> everyConverterFixtureRoundTrips() throws IOException {
        Path dir = OnnxFixtures.opsDir();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : OnnxFixtures.opsCases(true)) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                long[] inShape = OnnxFixtures.shape(c.get("input_shape"));
                INDArray input = OnnxFixtures.readF32(dir.resolve(c.get("input").asText()), inShape);
                INDArray expected = OnnxFixtures.readF32(dir.resolve(c.get("output").asText()),
                        OnnxFixtures.shape(c.get("output_shape")));
                ComputationGraph graph = OnnxConverter.builder().build().convert(dir.resolve(c.get("file").asText()))
                        .graph();
                InputType type = inShape.length == 4
                        ? InputType.convolutional(inShape[2], inShape[3], inShape[1], CNN2DFormat.NCHW)
                        : InputType.feedForward(inShape[1]);
                INDArray viaOrt = runInOrt(OnnxExporter.export(graph, type, Map.of()).toByteArray(), input);
                assertClose(graph.outputSingle(false, input), viaOrt, c.get("name").asText() + " ORT vs DL4J");
                assertClose(expected, viaOrt, c.get("name").asText() + " ORT vs PyTorch");
            }));
        }
        return tests;
    }
}
