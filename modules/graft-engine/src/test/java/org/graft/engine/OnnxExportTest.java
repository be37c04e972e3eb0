package org.graft.engine;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneLoader;
import org.graft.backbone.EfficientNetFixtures;
import org.graft.onnx.imports.OnnxConverter;
import org.graft.common.Fetcher;
import org.graft.common.Json;
import org.graft.common.SharedMaterial;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DL4J graph → ONNX → ONNX Runtime gives DL4J's own outputs: on every one-op model of the ONNX converter's fixtures
 * (PyTorch → ONNX → DL4J → ONNX, compared with PyTorch too), on Keras imports (NHWC, Graft's vertices) and on
 * EfficientNet-B0.
 */
class OnnxExportTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path tmp;

    /** The graft-onnx test jar's onnx-ops folder, copied out (it may be inside a jar). */
    static Path opsDir() throws IOException {
        Path dir = tmp.resolve("onnx-ops");
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Files.createDirectories(dir);
        JsonNode manifest;
        try (InputStream in = OnnxExportTest.class.getResourceAsStream("/onnx-ops/manifest.json")) {
            manifest = Json.mapper().readTree(in);
        }
        Files.writeString(dir.resolve("manifest.json"), manifest.toString());
        for (JsonNode c : manifest.get("cases")) {
            for (String key : List.of("file", "input", "output")) {
                if (c.has(key)) {
                    try (InputStream in = OnnxExportTest.class.getResourceAsStream("/onnx-ops/" + c.get(key).asText())) {
                        Files.copy(in, dir.resolve(c.get(key).asText()));
                    }
                }
            }
        }
        return dir;
    }

    static INDArray readF32(Path file, long[] shape) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Nd4j.create(v, shape, 'c');
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.castTo(DataType.FLOAT).sub(actual.castTo(DataType.FLOAT)).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "%s: max abs diff %.3g", what, diff));
    }

    @TestFactory
    List<DynamicTest> everyConverterFixtureRoundTrips() throws IOException {
        Path dir = opsDir();
        JsonNode manifest = Json.mapper().readTree(dir.resolve("manifest.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : manifest.get("cases")) {
            if (!c.get("expect").asText().equals("match")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                long[] inShape = shape(c.get("input_shape"));
                INDArray input = readF32(dir.resolve(c.get("input").asText()), inShape);
                INDArray expected = readF32(dir.resolve(c.get("output").asText()), shape(c.get("output_shape")));
                ComputationGraph graph = OnnxConverter.builder().build().convert(dir.resolve(c.get("file").asText()))
                        .graph();
                InputType type = inShape.length == 4
                        ? InputType.convolutional(inShape[2], inShape[3], inShape[1], CNN2DFormat.NCHW)
                        : InputType.feedForward(inShape[1]);
                try (OnnxRuntimeEngine ort = new OnnxRuntimeEngine(OnnxExporter.export(graph, type, Map.of())
                        .toByteArray())) {
                    INDArray viaOrt = ort.output(input);
                    assertClose(graph.outputSingle(false, input), viaOrt, c.get("name").asText() + " ORT vs DL4J");
                    assertClose(expected, viaOrt, c.get("name").asText() + " ORT vs PyTorch");
                }
            }));
        }
        return tests;
    }

    private static void compareEngines(Backbone backbone, String what) {
        INDArray input = org.graft.data.TestImages.smoothBatch(backbone.preprocessing());
        try (InferenceEngine dl4j = InferenceEngine.create(Engine.DL4J, backbone.graph(), backbone.preprocessing());
             InferenceEngine ort = InferenceEngine.create(Engine.ONNXRUNTIME, backbone.graph(),
                     backbone.preprocessing())) {
            INDArray a = dl4j.output(input);
            INDArray b = ort.output(input);
            double diff = a.sub(b).amaxNumber().doubleValue();
            if (diff > TOLERANCE) {
                try {
                    boolean nhwc = backbone.preprocessing().layout() == org.graft.data.Preprocessing.Layout.NHWC;
                    var pre = backbone.preprocessing();
                    System.out.println(what + ": engines first differ at " + EngineProbe.firstDifference(
                            backbone.graph(), InputType.convolutional(pre.cropHeight(), pre.cropWidth(), 3,
                                    nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW), input, TOLERANCE / 10));
                } catch (Exception e) {
                    System.out.println("probe failed: " + e);
                }
            }
            assertClose(a, b, what);
        }
    }

    static BackboneLoader loader() {
        return loaderFor(tmp.resolve("cache"));
    }

    static BackboneLoader loaderFor(Path cache) {
        return BackboneLoader.builder().setFetcher(Fetcher.builder().setCacheDir(cache).optOffline(true).build())
                .build();
    }

    @Test
    void kerasImportInNhwcWithGraftVertices() throws IOException {
        Path tiny = tmp.resolve("tiny_keepdims.h5");
        if (!Files.exists(tiny)) {
            try (InputStream in = OnnxExportTest.class.getResourceAsStream("/fixtures/tiny_keepdims.h5")) {
                Files.copy(in, tiny);
            }
        }
        compareEngines(loader().load(tiny.toString()), "tiny Keras model (NHWC)");
    }

    @Test
    void realMobileNet() {
        var file = SharedMaterial.find("models/mobilenet_v1_0.25_224.h5");
        assumeTrue(file.isPresent(), SharedMaterial.absentMessage("models/mobilenet_v1_0.25_224.h5"));
        compareEngines(loader().load(file.get().toString()), "MobileNet v1 0.25 (Keras)");
    }

    @Test
    void efficientNetB0FromKeras() throws Exception {
        assumeTrue(EfficientNetFixtures.available(), "Skipped: needs " + EfficientNetFixtures.NEEDS);
        Path fixtures = tmp.resolve("effnet");
        EfficientNetFixtures.generate(fixtures, List.of());
        Backbone b = EfficientNetFixtures.loader(fixtures, tmp.resolve("effcache")).load("efficientnet-b0");
        compareEngines(b, "EfficientNet-B0 (Keras weights, Graft's architecture)");
    }

    private static long[] shape(JsonNode s) {
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }
}
