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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A researcher's messy folder (fixtures/make_bad_inputs.py: empty, truncated and mislabelled files, alpha, 16-bit,
 * CMYK, palette, animated, multi-page, 1x1, EXIF-rotated, Hangul NFD and Hanja names, nested folders, a symlink
 * loop, an image under two classes, a 20000x20000 scan) through train, evaluate and predict: every file ends as
 * documented — used, or skipped and listed with its reason — and never as a crash or a silent drop.
 */
abstract class BadInputsCheck {
    private static final String CHECK = "bad inputs";
    @TempDir
    Path tmp;

    abstract ReliabilityLedger ledger();
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
        for (String f : skipped) {
            ledger().record(CHECK, "train: " + f, "skipped and listed", skippedCsv.contains(f) ? "skipped and listed"
                    : "not listed");
        }
        for (String f : used) {
            ledger().record(CHECK, "train: " + f, "used", skippedCsv.contains(f) ? "skipped" : "used");
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
        for (String f : used) {
            String row = rows.stream().filter(r -> r.startsWith(f + ",") || r.startsWith("\"" + f + "\","))
                    .findFirst().orElse(null);
            ledger().record(CHECK, "predict: " + f, "a row with a label", row == null ? "no row"
                    : row.endsWith(",") && (row.contains(",false,") || row.contains(",true,")) ? "a row with a label"
                    : "an error row: " + row);
        }
        for (String f : skipped) {
            ledger().record(CHECK, "predict: " + f, "an error row", rows.stream().anyMatch(r -> r.contains(f)
                    && !r.endsWith(",")) ? "an error row" : "no error row");
        }

        // refused before any work, with what to do and no stack trace
        int emptyClass = GraftCli.run("train", "--data", corpus.resolve("empty_class").toString(), "--backbone",
                tiny.toString(), "--preprocess", "KERAS_TF", "--size", "32", "--out", tmp.resolve("r2").toString(),
                "--no-progress");
        ledger().record(CHECK, "train: a folder with an empty class", "refused naming the class",
                emptyClass == 2 && stderr().contains("without a usable image") && stderr().contains("blue")
                        ? "refused naming the class" : "exit " + emptyClass);
        int singleClass = GraftCli.run("train", "--data", corpus.resolve("single_class").toString(), "--backbone",
                tiny.toString(), "--preprocess", "KERAS_TF", "--size", "32", "--out", tmp.resolve("r3").toString(),
                "--no-progress");
        ledger().record(CHECK, "train: a folder with one class", "refused", singleClass == 2
                && stderr().contains("Only one class") ? "refused" : "exit " + singleClass);
        ledger().record(CHECK, "train: the refused runs", "no model, no stack trace", !stderr().contains("\tat ")
                && !Files.exists(tmp.resolve("r2/model.zip")) && !Files.exists(tmp.resolve("r3/model.zip"))
                ? "no model, no stack trace" : "a model or a stack trace:\n" + stderr());
        assertEquals(List.of(), ledger().failures(CHECK), "every bad input has its documented outcome");
    }
}
