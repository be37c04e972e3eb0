package org.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.graft.backbone.TinyBackbone;
import org.graft.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A researcher's messy folder (fixtures/make_bad_inputs.py: empty, truncated and mislabelled files, alpha, 16-bit,
 * CMYK, palette, animated, multi-page, 1x1, EXIF-rotated, Hangul NFD and Hanja names, nested folders, a symlink
 * loop, an image under two classes, a 20000x20000 scan) through train, evaluate and predict: every file ends as
 * documented — used, or skipped and listed with its reason — and never as a crash or a silent drop.
 */
abstract class BadInputsCheck {
    @TempDir
    Path tmp;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    private String stderr() {
        return output.err();
    }

    private static boolean pillowAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import PIL").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void everyBadInputHasItsDocumentedOutcome() throws Exception {
        assumeTrue(pillowAvailable(), "Skipped: needs /usr/bin/python3 with PIL (Debian: apt-get install python3-pil)");
        Path corpus = tmp.resolve("corpus");
        Process gen = new ProcessBuilder("/usr/bin/python3", TinyBackbone.fixture("make_bad_inputs.py").toString(),
                corpus.toString()).redirectErrorStream(true).start();
        String genLog = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gen.waitFor(5, TimeUnit.MINUTES) && gen.exitValue() == 0, genLog);
        JsonNode expected = Json.mapper().readTree(corpus.resolve("expected.json").toFile());
        List<String> used = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            (e.getValue().asText().equals("used") ? used : skipped).add(e.getKey());
        }

        // train: starts, skips exactly the bad files and lists each with its reason
        Path run = tmp.resolve("run");
        Path tiny = tmp.resolve("tiny.h5");
        Files.copy(TinyBackbone.file(), tiny);
        assertEquals(0, GraftCli.run("train", "--data", corpus.resolve("data").toString(), "--backbone",
                tiny.toString(), "--preprocess", "KERAS_TF", "--size", "32", "--epochs", "2", "--out", run.toString(),
                "--no-progress", "--no-cache"), stderr());
        String skippedCsv = Files.readString(run.resolve("skipped.csv"));
        for (String s : skipped) {
            assertTrue(skippedCsv.contains(s), s + " is listed as skipped:\n" + skippedCsv);
        }
        for (String u : used) {
            assertFalse(skippedCsv.contains(u), u + " is used, not skipped:\n" + skippedCsv);
        }
        assertTrue(skippedCsv.contains("loop"), "the symlink loop is reported:\n" + skippedCsv);
        List<String> split = Files.readAllLines(run.resolve("split.csv"));
        assertEquals(used.size(), split.size() - 1, "every usable file is in the split: " + split);
        assertTrue(stderr().contains("The same image is in more than one class"), "duplicates are warned about");
        assertTrue(split.stream().anyMatch(l -> l.contains("green/only-one.png") && l.contains("train")),
                "a class's only image is for training: " + split);

        // evaluate on the whole messy folder: the same files used
        assertEquals(0, GraftCli.run("evaluate", "--model", run.toString(), "--data",
                corpus.resolve("data").toString(), "--out", tmp.resolve("eval.json").toString()), stderr());
        JsonNode metrics = Json.mapper().readTree(tmp.resolve("eval.json").toFile());
        assertEquals(used.size(), metrics.get("count").asInt());

        // predict: a row for every image file, with the reason where it could not be read
        Path csv = tmp.resolve("p.csv");
        assertEquals(0, GraftCli.run("predict", "--model", run.toString(), "--input",
                corpus.resolve("data").toString(), "--out", csv.toString()), stderr());
        List<String> rows = Files.readAllLines(csv);
        for (String u : used) {
            String row = rows.stream().filter(r -> r.startsWith(u + ",") || r.startsWith("\"" + u + "\","))
                    .findFirst().orElseThrow(() -> new AssertionError("no prediction for " + u + ": " + rows));
            assertTrue(row.contains(",false,") || row.contains(",true,"), row);
            assertTrue(row.endsWith(","), "no error for a usable image: " + row);
        }
        for (String s : skipped) {
            assertTrue(rows.stream().anyMatch(r -> r.contains(s) && !r.endsWith(",")), "an error row for " + s);
        }

        // refused before any work, with what to do and no stack trace
        assertEquals(2, GraftCli.run("train", "--data", corpus.resolve("empty_class").toString(), "--backbone",
                tiny.toString(), "--preprocess", "KERAS_TF", "--size", "32", "--out", tmp.resolve("r2").toString(),
                "--no-progress"));
        assertTrue(stderr().contains("without a usable image") && stderr().contains("blue"), stderr());
        assertEquals(2, GraftCli.run("train", "--data", corpus.resolve("single_class").toString(), "--backbone",
                tiny.toString(), "--preprocess", "KERAS_TF", "--size", "32", "--out", tmp.resolve("r3").toString(),
                "--no-progress"));
        assertTrue(stderr().contains("Only one class"), stderr());
        assertFalse(stderr().contains("\tat "), "no stack trace:\n" + stderr());
        assertFalse(Files.exists(tmp.resolve("r2/model.zip")) || Files.exists(tmp.resolve("r3/model.zip")));
        ReliabilityTest.badInputs(expected.size() + 3, used.size(), skipped.size() + 1);
    }
}
