package org.graft.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneLoader;
import org.graft.backbone.EfficientNetFixtures;
import org.graft.common.Fetcher;
import org.graft.common.SharedMaterial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ONNX Runtime engine (DL4J graph → ONNX → ONNX Runtime) gives the DL4J engine's outputs on Keras imports (NHWC,
 * Graft's vertices), MobileNet and EfficientNet-B0. The export of every one-op model of the ONNX converter's
 * fixtures is checked in graft-onnx ({@code OnnxRoundTripTest}).
 */
class OnnxExportTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path tmp;

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.castTo(DataType.FLOAT).sub(actual.castTo(DataType.FLOAT)).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "%s: max abs diff %.3g", what, diff));
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
}
