package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.common.Json;
import org.graft.data.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graft command as a user types it: whole runs, and user mistakes answered without a stack trace. */
class CliTest {
    @TempDir
    static Path tmp;
    static Path data;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    @BeforeAll
    static void data() {
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 10, 40, 3);
    }

    private int graft(String... args) {
        return GraftCli.run(args);
    }

    private String stderr() {
        return output.err();
    }

    private void assertUserError(int code) {
        assertEquals(2, code, stderr());
        assertTrue(stderr().startsWith("error: "), stderr());
        assertFalse(stderr().contains("Exception") || stderr().contains("\tat "), "no stack trace: " + stderr());
    }

    @Test
    void trainEvaluatePredictInspectWithAKerasFileAsBackbone() throws Exception {
        Path run = tmp.resolve("runs/cli");
        String tiny = TinyBackbone.file().toString();
        assertEquals(0, graft("train", "--data", data.toString(), "--backbone", tiny, "--preprocess", "KERAS_TF",
                "--size", "32", "--epochs", "3", "--lr", "0.01", "--out", run.toString(), "--no-progress",
                "--no-cache"), stderr());
        assertTrue(Files.isRegularFile(run.resolve("model.zip")));
        assertTrue(Files.isRegularFile(run.resolve("report.html")), "train writes the report");
        Files.delete(run.resolve("report.html"));
        assertEquals(0, graft("report", run.toString()), stderr());
        assertTrue(Files.readString(run.resolve("report.html")).contains("id=\"confusion-matrix\""));

        assertEquals(0, graft("evaluate", "--model", run.toString()), stderr());
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = Json.mapper().readValue(run.resolve("metrics.json").toFile(), Map.class);
        assertEquals(4, ((Number) metrics.get("count")).intValue(), "the run's own validation split: 2 per class");

        Path csv = tmp.resolve("p.csv");
        assertEquals(0, graft("predict", "--model", run.resolve("model.zip").toString(), "--input", data.toString(),
                "--out", csv.toString(), "--top-k", "2"), stderr());
        assertEquals(1 + 20, Files.readAllLines(csv).size());

        // predictions never overwrite the images they read
        Path image = data.resolve("red/img_000.png");
        long before = Files.size(image);
        assertEquals(2, graft("predict", "--model", run.toString(), "--input", data.toString(), "--out",
                image.toString()), stderr());
        assertTrue(stderr().contains("is a file this command reads"), stderr());
        assertEquals(before, Files.size(image));

        assertEquals(0, graft("inspect", run.toString()), stderr());
        assertTrue(output.out().contains("\"labels\" : [ \"blue\", \"red\" ]"));
    }

    @Test
    void inspectingAKerasFileShowsItsFeatureLayer() {
        assertEquals(0, graft("inspect", TinyBackbone.file().toString()), stderr());
        String o = output.out();
        assertTrue(o.contains("feature layer: gap [16]"), o);
        assertTrue(o.contains("preprocessing:"), o);
    }

    @Test
    void missingDataFolder() {
        assertUserError(graft("train", "--data", tmp.resolve("no-such-folder").toString(), "--out",
                tmp.resolve("runs/missing").toString()));
        assertTrue(stderr().contains("does not exist"), stderr());
    }

    @Test
    void singleClassFolder() {
        Path one = TestImages.colourClasses(tmp.resolve("one"), List.of("only"), List.of(Color.RED), 3, 8, 1);
        Path out = tmp.resolve("runs/never");
        assertUserError(graft("train", "--data", one.toString(), "--backbone", TinyBackbone.file().toString(),
                "--out", out.toString()));
        assertTrue(stderr().contains("Only one class"), stderr());
        assertFalse(Files.exists(out), "no run folder is left behind by a run that could not start");
    }

    @Test
    void badModeAndBadNumbers() {
        assertUserError(graft("train", "--data", data.toString(), "--mode", "sideways", "--out",
                tmp.resolve("runs/x").toString()));
        assertTrue(stderr().contains("--mode"), stderr());
        output.resetErr();
        assertUserError(graft("train", "--data", data.toString(), "--epochs", "0", "--out",
                tmp.resolve("runs/x").toString()));
        assertTrue(stderr().contains("--epochs"), stderr());
    }

    @Test
    void notAModel() throws Exception {
        Path bogus = Files.writeString(tmp.resolve("bogus.zip"), "nope");
        assertUserError(graft("predict", "--model", bogus.toString(), "--input", data.toString()));
        output.resetErr();
        Path notKeras = Files.writeString(tmp.resolve("resnet.h5"), "not hdf5");
        assertUserError(graft("train", "--data", data.toString(), "--backbone", notKeras.toString(), "--out",
                tmp.resolve("runs/y").toString(), "--no-cache"));
        assertTrue(stderr().contains("not an HDF5 file"), stderr());
    }
}
