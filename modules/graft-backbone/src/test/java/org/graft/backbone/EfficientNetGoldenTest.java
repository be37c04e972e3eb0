package org.graft.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.graft.common.GraftException;
import org.graft.common.Json;
import org.graft.common.SharedMaterial;
import org.graft.data.ImageLoader;
import org.graft.data.Preprocessing;
import org.graft.data.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * EfficientNet-B0 from every Keras source Graft supports, checked against a NumPy forward pass of the same
 * architecture (fixtures/make_efficientnet_fixtures.py: Keras-format files with seeded random weights, written
 * with h5py, no TensorFlow). The fixtures are ~20 MB each, so they are generated here rather than committed.
 */
class EfficientNetGoldenTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;
    static Path fixtures;
    static JsonNode reference;
    static List<String> names = new ArrayList<>();
    static List<INDArray> inputs = new ArrayList<>();

    @BeforeAll
    static void generate() throws Exception {
        if (!EfficientNetFixtures.available()) {
            System.err.println("Skipped: EfficientNet golden tests need " + EfficientNetFixtures.NEEDS);
            return;
        }
        Preprocessing pre = BackboneRegistry.builtIn().get("efficientnet-b0").preprocessing();
        ImageLoader loader = new ImageLoader(pre);
        List<Path> images = new ArrayList<>();
        for (String photo : List.of("cat.bmp", "bird.bmp")) {
            SharedMaterial.find("models/imagenet-check/" + photo).ifPresent(images::add);
        }
        if (images.isEmpty()) {
            // without the shared photos, a synthetic picture with structure at several scales
            BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < 240; y++) {
                for (int x = 0; x < 320; x++) {
                    img.setRGB(x, y, new Color((x * 7 + y) % 256, (int) (128 + 127 * Math.sin(x / 9.0)),
                            (x ^ y) & 0xFF).getRGB());
                }
            }
            images.add(TestImages.write(img, dir.resolve("synthetic.png"), "png"));
        }
        List<Path> bins = new ArrayList<>();
        for (Path image : images) {
            float[] x = loader.load(image);
            String name = image.getFileName().toString().replaceAll("\\.[a-z]+$", "") + ".bin";
            ByteBuffer buf = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(x);
            bins.add(Files.write(dir.resolve(name), buf.array()));
            names.add(name);
            inputs.add(Nd4j.create(x, pre.shape(1), 'c'));
        }
        fixtures = dir.resolve("fx");
        EfficientNetFixtures.generate(fixtures, bins);
        reference = Json.mapper().readTree(fixtures.resolve("reference.json").toFile());
    }

    @BeforeEach
    void needsFixtures() {
        assumeTrue(reference != null, "Skipped: needs " + EfficientNetFixtures.NEEDS);
    }

    private static void assertMatches(ComputationGraph g, String variant, boolean top, String what) {
        for (int i = 0; i < names.size(); i++) {
            JsonNode ref = reference.get(variant).get(names.get(i));
            Map<String, INDArray> acts = g.feedForward(new INDArray[]{inputs.get(i)}, false, false);
            assertClose(ref.get("features"), acts.get("avg_pool").toDoubleVector(), what + " features " + names.get(i));
            if (top) {
                assertClose(ref.get("probabilities"), g.outputSingle(inputs.get(i)).toDoubleVector(),
                        what + " probabilities " + names.get(i));
            }
        }
    }

    private static void assertClose(JsonNode expected, double[] actual, String what) {
        assertEquals(expected.size(), actual.length, what);
        double max = 0;
        for (int j = 0; j < actual.length; j++) {
            max = Math.max(max, Math.abs(expected.get(j).asDouble() - actual[j]));
        }
        System.out.printf("%s: max abs diff %.2e%n", what, max);
        assertTrue(max <= TOLERANCE, what + ": max abs diff " + max);
    }

    private BackboneLoader loader(Path cache) throws IOException {
        return EfficientNetFixtures.loader(fixtures, cache);
    }

    @Test
    void weightsOnlyFileThroughTheRegistryAsADownloadWouldGo(@TempDir Path cache) throws IOException {
        Backbone b = loader(cache).load("efficientnet-b0");
        assertEquals("avg_pool", b.featureLayer());
        assertEquals(1280, b.featureSize());
        assertMatches(b.graph(), "two_rescaling", true, "weights-only efficientnetb0.h5");
    }

    @Test
    void notopWeightsGiveTheSameFeatures(@TempDir Path cache) throws IOException {
        Backbone b = loader(cache).load("efficientnet-b0-notop");
        assertMatches(b.graph(), "two_rescaling", false, "weights-only efficientnetb0_notop.h5");
    }

    @Test
    void weightsOnlyFileGivenByPathIsRecognised(@TempDir Path cache) throws IOException {
        Backbone b = loader(cache).load(fixtures.resolve("efficientnetb0.h5").toString());
        assertEquals("avg_pool", b.featureLayer());
        assertMatches(b.graph(), "two_rescaling", true, "efficientnetb0.h5 by path");
    }

    @Test
    void aWeightsFileThatNamesNormalizationDifferentlyStillLoads(@TempDir Path work) throws Exception {
        // Keras numbers unnamed layers per session: the official file may say "normalization_2"
        Path renamed = work.resolve("efficientnetb0.h5");
        Files.copy(fixtures.resolve("efficientnetb0.h5"), renamed);
        Process p = new ProcessBuilder(EfficientNetFixtures.python(), "-c", String.join("\n",
                "import h5py, numpy, sys",
                "f = h5py.File(sys.argv[1], 'r+')",
                "f.move('normalization', 'normalization_2')",
                "f.move('normalization_2/normalization', 'normalization_2/normalization_2')",
                "names = [n.decode() for n in f.attrs['layer_names']]",
                "f.attrs['layer_names'] = numpy.array([('normalization_2' if n == 'normalization' else n).encode()"
                        + " for n in names])",
                "g = f['normalization_2']",
                "g.attrs['weight_names'] = numpy.array([w.decode().replace('normalization/', 'normalization_2/')"
                        + ".encode() for w in g.attrs['weight_names']])",
                "f.close()"), renamed.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, log);
        Backbone b = loader(work.resolve("cache")).load(renamed.toString());
        assertMatches(b.graph(), "two_rescaling", true, "weights file with normalization_2");
    }

    @Test
    void fullModelFromKeras28(@TempDir Path cache) {
        ComputationGraph g = KerasImporter.importGraph(fixtures.resolve("efficientnetb0_keras2.8.h5"));
        assertMatches(g, "one_rescaling", true, "Keras 2.8 full model");
    }

    @Test
    void fullModelFromKeras215SurvivesSaveAndLoad() throws Exception {
        ComputationGraph g = KerasImporter.importGraph(fixtures.resolve("efficientnetb0_keras2.15.h5"));
        assertMatches(g, "two_rescaling", true, "Keras 2.15 full model");
        Path zip = dir.resolve("saved.zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        assertMatches(ModelSerializer.restoreComputationGraph(zip.toFile(), false), "two_rescaling", true,
                "Keras 2.15 full model after save -> load");
    }

    @Test
    void nestedModelIsExplained() throws Exception {
        Path nested = dir.resolve("nested.h5");
        Process p = new ProcessBuilder(EfficientNetFixtures.python(), EfficientNetFixtures.script().toString(),
                "--tiny-nested", nested.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0);
        GraftException e = assertThrows(GraftException.class, () -> KerasImporter.importGraph(nested));
        assertTrue(e.getMessage().contains("nests a whole model"), e.getMessage());
        assertTrue(e.hint().contains(".save("), e.hint());
    }
}
