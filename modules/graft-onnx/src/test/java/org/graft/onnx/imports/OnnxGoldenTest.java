package org.graft.onnx.imports;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.Json;
import org.graft.common.SharedMaterial;
import org.graft.model.BatchNormFolding;
import org.graft.onnx.OnnxFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * torchvision's efficientnet_b0, mobilenet_v2, mobilenet_v3_small, resnet18 and squeezenet1_1, exported to ONNX at
 * opsets 13 and 17 with BatchNorm folded and kept (fixtures/make_onnx_fixtures.py: seeded random weights with
 * calibrated BatchNorm statistics, since no pretrained weights can be downloaded): Graft's converted graphs give
 * PyTorch's logits on real photos to 1e-4 (relative to the logits' scale where it exceeds 1), with the same top-1
 * class. The models (~380 MB) are generated into
 * target/onnx-golden on the first run and reused after.
 */
class OnnxGoldenTest {
    static final double TOLERANCE = 1e-4;
    static final Path DIR = Path.of("target", "onnx-golden");
    static JsonNode manifest;
    static INDArray inputs;

    @BeforeAll
    static void generate() throws Exception {
        if (!OnnxFixtures.torchAvailable()) {
            System.err.println("Skipped: the ONNX golden tests need " + OnnxFixtures.NEEDS);
            return;
        }
        List<Path> photos = new ArrayList<>();
        for (String photo : List.of("cat.bmp", "bird.bmp", "grace_hopper.bmp")) {
            SharedMaterial.find("models/imagenet-check/" + photo).ifPresent(photos::add);
        }
        if (photos.isEmpty()) {
            System.err.println(SharedMaterial.absentMessage("models/imagenet-check")
                    + " The ONNX golden tests use synthetic pictures instead.");
        }
        OnnxFixtures.generateGolden(DIR, photos);
        manifest = Json.mapper().readTree(DIR.resolve("manifest.json").toFile());
        JsonNode in = manifest.get("inputs");
        inputs = OnnxFixtures.readF32(DIR.resolve(in.get("file").asText()), OnnxFixtures.shape(in.get("shape")));
    }

    @TestFactory
    List<DynamicTest> torchvisionModels() {
        assumeTrue(manifest != null, "Skipped: needs " + OnnxFixtures.NEEDS);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode m : manifest.get("models")) {
            String name = m.get("model").asText() + " opset " + m.get("opset").asInt() + " BN " + m.get("bn").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> matchesPyTorch(m, name)));
        }
        return tests;
    }

    private static void matchesPyTorch(JsonNode m, String name) throws Exception {
        Path file = DIR.resolve(m.get("file").asText());
        INDArray expected = OnnxFixtures.readF32(DIR.resolve(m.get("logits").asText()),
                OnnxFixtures.shape(m.get("logits_shape")));
        int batchNorms = m.get("ops").path("BatchNormalization").asInt(0);
        boolean torchHasBatchNorm = !m.get("model").asText().startsWith("squeezenet");
        assertEquals(m.get("bn").asText().equals("kept") && torchHasBatchNorm, batchNorms > 0,
                "the export kept or folded BatchNorm as its name says");
        for (boolean fold : batchNorms > 0 ? new boolean[]{false, true} : new boolean[]{false}) {
            long t0 = System.nanoTime();
            OnnxModel model = OnnxConverter.builder().build().convert(file);
            // folded as production folds: BatchNormFolding after conversion
            ComputationGraph graph = fold ? BatchNormFolding.fold(model.graph(), Set.of()) : model.graph();
            long convertMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(fold ? 0 : batchNorms, countBatchNorms(graph), "BatchNormalization layers in DL4J");
            INDArray logits = graph.outputSingle(false, inputs);
            assertArrayEquals(expected.shape(), logits.shape());
            double diff = expected.sub(logits).amaxNumber().doubleValue();
            int[] top1 = logits.argMax(1).toIntVector();
            int[] torchTop1 = toInts(m.get("torch_top1"));
            System.out.printf(Locale.ROOT, "ONNX golden %-42s %s max |diff| %.2e  top-1 %s (PyTorch %s)  "
                            + "converted in %d ms, feature layer %s%n", name, fold ? "BN folded by Graft" : "as exported  ",
                    diff, Arrays.toString(top1), Arrays.toString(torchTop1), convertMs, model.featureVertex());
            // 1e-4, relative to the logits' scale where they exceed 1 (float32 rounding grows with them: the
            // synthetic pictures used without ../shared give EfficientNet logits up to 3.4, the photos below 1)
            double tolerance = TOLERANCE * Math.max(1, expected.amaxNumber().doubleValue());
            assertTrue(diff <= tolerance, name + ": max abs diff " + diff + " > " + tolerance);
            assertArrayEquals(torchTop1, top1, name + ": top-1 classes");
        }
    }

    /**
     * Graft's own image pipeline with the torchvision preset (OpenCV's bicubic resize) against torchvision's (PIL's,
     * which smooths when shrinking): close, and the converted EfficientNet-B0 ranks the photos' classes alike.
     */
    @org.junit.jupiter.api.Test
    void torchvisionPresetPreparesImagesLikeTorchvision() throws Exception {
        assumeTrue(manifest != null, "Skipped: needs " + OnnxFixtures.NEEDS);
        List<Path> images = new ArrayList<>();
        manifest.get("inputs").get("images").forEach(i -> images.add(Path.of(i.asText())));
        var loader = new org.graft.data.ImageLoader(org.graft.data.Preprocessing.torchvision(224,
                org.graft.data.Preprocessing.Layout.NCHW));
        float[][] ours = new float[images.size()][];
        for (int i = 0; i < ours.length; i++) {
            ours[i] = loader.load(images.get(i));
        }
        INDArray graft = org.nd4j.linalg.factory.Nd4j.create(ours).reshape(inputs.shape());
        double meanDiff = graft.sub(inputs).norm1Number().doubleValue() / inputs.length();
        JsonNode effnet = manifest.get("models").get(0);
        INDArray logits = OnnxConverter.builder().build().convert(DIR.resolve(effnet.get("file").asText())).graph()
                .outputSingle(false, graft);
        System.out.printf(Locale.ROOT, "torchvision preset: mean |Graft - torchvision| input %.4f (normalised units); "
                + "EfficientNet-B0 top-1 on Graft's images %s, on torchvision's %s%n", meanDiff,
                Arrays.toString(logits.argMax(1).toIntVector()), effnet.get("torch_top1"));
        assertTrue(meanDiff < 0.1, "mean input difference " + meanDiff);
    }

    private static long countBatchNorms(ComputationGraph graph) {
        return Arrays.stream(graph.getLayers()).filter(l -> l.conf().getLayer() instanceof BatchNormalization)
                .count();
    }

    private static int[] toInts(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
