package org.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.graft.common.Json;
import org.graft.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ONNX model as the backbone, as a PyTorch user gives it: a small RGB classifier exported by torch.onnx.export
 * (onnx-ops/tiny_cnn.onnx from graft-onnx's test jar; fixtures/make_onnx_fixtures.py made it).
 */
class OnnxCliTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    /** A copy of the fixture (which may sit inside a jar) with the name a user would give it. */
    Path tinyCnn() throws java.io.IOException {
        Path copy = tmp.resolve("tiny_cnn.onnx");
        if (!Files.exists(copy)) {
            try (InputStream in = OnnxCliTest.class.getResourceAsStream("/onnx-ops/tiny_cnn.onnx")) {
                Files.copy(in, copy);
            }
        }
        return copy;
    }

    private String stderr() {
        return output.err();
    }

    @Test
    void trainAndPredictWithAnOnnxBackbone() throws Exception {
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 10, 48, 3);
        Path run = tmp.resolve("run");
        assertEquals(0, GraftCli.run("train", "--data", data.toString(), "--backbone", tinyCnn().toString(),
                "--epochs", "3", "--lr", "0.05", "--out", run.toString(), "--no-progress", "--no-cache"), stderr());

        // the preprocessing travels in the bundle: torchvision's transform at the model's 32 px, NCHW
        JsonNode description;
        try (ZipFile zip = new ZipFile(run.resolve("model.zip").toFile())) {
            ZipEntry entry = zip.getEntry("graft-model.json");
            try (InputStream in = zip.getInputStream(entry)) {
                description = Json.mapper().readTree(in);
            }
        }
        JsonNode pre = description.findValue("preprocessing");
        assertEquals("NCHW", pre.get("layout").asText(), pre.toString());
        assertEquals("BICUBIC", pre.get("interpolation").asText());
        assertEquals(32, pre.get("cropHeight").asInt());
        assertEquals(37, pre.get("resizeShorter").asInt(), "256/224 of the crop, as torchvision");
        assertEquals(0.485, pre.get("mean").get(0).asDouble(), 1e-9);
        assertTrue(description.toString().contains("tiny_cnn.onnx"), "the bundle names its backbone file");

        Path csv = tmp.resolve("p.csv");
        assertEquals(0, GraftCli.run("predict", "--model", run.toString(), "--input", data.toString(), "--out",
                csv.toString()), stderr());
        List<String> rows = Files.readAllLines(csv);
        assertEquals(1 + 20, rows.size());
        long right = rows.stream().skip(1).filter(r -> r.contains("/blue/") ? r.contains(",blue,")
                : r.contains(",red,")).count();
        assertTrue(right >= 18, "blue and red are told apart by an ONNX backbone's features: " + right + "/20\n"
                + String.join("\n", rows));

        // ONNX Runtime gives the same answers
        Path viaOrt = tmp.resolve("ort.csv");
        assertEquals(0, GraftCli.run("predict", "--model", run.toString(), "--input", data.toString(), "--out",
                viaOrt.toString(), "--engine", "onnxruntime"), stderr());
        assertEquals(labelsOf(rows), labelsOf(Files.readAllLines(viaOrt)));

        // export: an ONNX file that ONNX Runtime runs to the same probabilities, with labels in its metadata
        Path exported = tmp.resolve("exported.onnx");
        assertEquals(0, GraftCli.run("export", "--model", run.toString(), "--out", exported.toString()), stderr());
        var model = onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(exported));
        assertTrue(model.getMetadataPropsList().stream().anyMatch(p -> p.getKey().equals("graft.labels")
                && p.getValue().equals("[\"blue\",\"red\"]")), model.getMetadataPropsList().toString());
        var bundle = org.graft.model.ModelBundle.load(run);
        var loader = new org.graft.data.ImageLoader(bundle.description().preprocessing());
        var x = org.nd4j.linalg.factory.Nd4j.create(loader.load(data.resolve("red/img_000.png")),
                bundle.description().preprocessing().shape(1), 'c');
        try (var ort = new org.graft.engine.OnnxRuntimeEngine(Files.readAllBytes(exported))) {
            double diff = ort.output(x).sub(bundle.graph().outputSingle(false, x)).amaxNumber().doubleValue();
            assertTrue(diff < 1e-4, "exported model's probabilities differ by " + diff);
        }
    }

    private static List<String> labelsOf(List<String> csvRows) {
        return csvRows.stream().skip(1).map(r -> r.split(",")[1]).toList();
    }

    @Test
    void inspectShowsTheConvertedGraph() throws Exception {
        assertEquals(0, GraftCli.run("inspect", tinyCnn().toString()), stderr());
        String o = output.out();
        assertTrue(o.contains("feature layer:"), o);
        assertTrue(o.contains("NCHW"), o);
    }

    @Test
    void aDamagedOnnxFileIsAUserErrorWithoutAStackTrace() throws Exception {
        byte[] whole = Files.readAllBytes(tinyCnn());
        Path cut = Files.write(tmp.resolve("cut.onnx"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Path data = TestImages.colourClasses(tmp.resolve("d"), List.of("a", "b"), List.of(Color.BLUE, Color.RED),
                3, 32, 1);
        assertEquals(2, GraftCli.run("train", "--data", data.toString(), "--backbone", cut.toString(), "--out",
                tmp.resolve("r").toString(), "--no-progress"), stderr());
        assertTrue(stderr().contains("cut.onnx") && !stderr().contains("\tat "), stderr());
    }

    /** Graft reads back what it exports: a Keras (NHWC) run's export inspected, then a backbone of a new run. */
    @Test
    void graftsOwnExportIsReadBackAsABackbone() throws Exception {
        Path data = TestImages.colourClasses(tmp.resolve("data2"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 8, 32, 5);
        Path keras = Files.copy(org.graft.backbone.TinyBackbone.file(), tmp.resolve("tiny.h5"));
        Path first = tmp.resolve("first");
        assertEquals(0, GraftCli.run("train", "--data", data.toString(), "--backbone", keras.toString(),
                "--preprocess", "KERAS_TF", "--size", "32", "--epochs", "2", "--out", first.toString(),
                "--no-progress", "--no-cache"), stderr());
        Path exported = tmp.resolve("mine.onnx");
        assertEquals(0, GraftCli.run("export", "--model", first.toString(), "--out", exported.toString()), stderr());

        assertEquals(0, GraftCli.run("inspect", exported.toString()), stderr());
        assertTrue(output.out().contains("NHWC"), "the export's own preprocessing, channels last: " + output.out());

        Path second = tmp.resolve("second");
        assertEquals(0, GraftCli.run("train", "--data", data.toString(), "--backbone", exported.toString(),
                "--epochs", "2", "--out", second.toString(), "--no-progress", "--no-cache"), stderr());
        var firstPre = org.graft.model.ModelBundle.readDescription(first).preprocessing();
        assertEquals(firstPre, org.graft.model.ModelBundle.readDescription(second).preprocessing(),
                "the new run prepares images as the exported model wants them, read from its metadata");
        Path csv = tmp.resolve("second.csv");
        assertEquals(0, GraftCli.run("predict", "--model", second.toString(), "--input", data.toString(), "--out",
                csv.toString()), stderr());
        assertEquals(1 + 16, Files.readAllLines(csv).size());
    }
}
