package org.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.graft.backbone.TinyBackbone;
import org.graft.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A researcher's messy folder (fixtures/make_bad_inputs.py: empty, truncated and mislabelled files, JPEG 2000 and
 * WebP under .jpg, HEIC, SVG, camera raw, float and 16-bit TIFFs, alpha, CMYK, palette, animated, multi-page, 1x1,
 * EXIF-rotated, a 2x100000 strip, a FIFO, a link to /dev/zero, Hangul NFD, Hanja, backslash and non-UTF-8 names,
 * nested folders, hidden and system folders, a symlink loop, an image under two classes, a 20000x20000 scan)
 * through train, evaluate and predict: every file ends as documented — used; skipped and listed with its reason in
 * skipped.csv and the error column; or ignored (in neither) — and never as a crash, a hang or a silent drop.
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

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
    }

    /** The path under {@code root} as a string with '/' (what expected.json names files by). */
    private static String under(Path root, String path) {
        Path p = Path.of(path);
        return (p.isAbsolute() ? root.toAbsolutePath().relativize(p) : p).toString();
    }

    /** Whether {@code path} is the ignored entry itself or inside it (a hidden or system folder). */
    private static boolean within(String path, String ignored) {
        return path.equals(ignored) || path.startsWith(ignored + "/");
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
        List<String> ignored = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getValue().asText()) {
                case "used" -> used.add(e.getKey());
                case "skipped" -> skipped.add(e.getKey());
                case "ignored" -> ignored.add(e.getKey());
                default -> throw new IllegalStateException("unknown outcome " + e);
            }
        }
        Path data = corpus.resolve("data");

        // train: starts, uses the good files, lists each bad one with its reason, leaves the non-images alone
        Path run = tmp.resolve("run");
        Path tiny = tmp.resolve("tiny.h5");
        Files.copy(TinyBackbone.file(), tiny);
        assertEquals(0, GraftCli.run("train", "--data", data.toString(), "--backbone",
                tiny.toString(), "--preprocess", "KERAS_TF", "--size", "32", "--epochs", "2", "--out", run.toString(),
                "--no-progress", "--no-cache"), stderr());
        Map<String, String> skippedCsv = new HashMap<>();
        for (CSVRecord r : csv(run.resolve("skipped.csv"))) {
            skippedCsv.put(under(data, r.get("path")), r.get("reason"));
        }
        Set<String> split = new HashSet<>();
        for (CSVRecord r : csv(run.resolve("split.csv"))) {
            split.add(r.get("path"));
        }
        for (String f : skipped) {
            String reason = skippedCsv.get(f);
            ledger().record(CHECK, "train: " + f, "skipped and listed", reason == null ? "not listed"
                    : reason.isBlank() ? "listed without a reason" : "skipped and listed");
        }
        for (String f : used) {
            ledger().record(CHECK, "train: " + f, "used", skippedCsv.containsKey(f)
                    ? "skipped: " + skippedCsv.get(f) : split.contains(f) ? "used" : "not in the split");
        }
        for (String f : ignored) {
            boolean listed = skippedCsv.keySet().stream().anyMatch(p -> within(p, f));
            boolean trained = split.stream().anyMatch(p -> within(p, f));
            ledger().record(CHECK, "train: " + f, "ignored", listed ? "listed as skipped" : trained ? "used"
                    : "ignored");
        }
        assertTrue(skippedCsv.keySet().stream().anyMatch(p -> p.contains("loop")),
                "the symlink loop is reported: " + skippedCsv);
        for (String p : split) {
            assertTrue(used.contains(p) || skippedCsv.containsKey(p), "in the split but neither used nor listed: " + p);
        }
        assertTrue(stderr().contains("The same image is in more than one class"), "duplicates are warned about");
        assertTrue(csv(run.resolve("split.csv")).stream().anyMatch(r -> r.get("path").equals("green/only-one.png")
                && r.get("subset").equals("train")), "a class's only image is for training");
        long warnings = stderr().lines().filter(l -> l.contains("Skipping") && l.contains("zero-byte.jpg")).count();
        ledger().record(CHECK, "train: a skipped file's warning", "printed once", warnings == 1 ? "printed once"
                : "printed " + warnings + " times");

        // evaluate on the whole messy folder: the same files used
        assertEquals(0, GraftCli.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--out",
                tmp.resolve("eval.json").toString()), stderr());
        JsonNode metrics = Json.mapper().readTree(tmp.resolve("eval.json").toFile());
        ledger().record(CHECK, "evaluate: the images used", used.size() + " images",
                metrics.get("count").asInt() + " images");

        // predict: a row for every image file (a label, or the reason where it could not be read), none for others
        Path predictions = tmp.resolve("p.csv");
        assertEquals(0, GraftCli.run("predict", "--model", run.toString(), "--input", data.toString(), "--out",
                predictions.toString()), stderr());
        Map<String, CSVRecord> rows = new HashMap<>();
        for (CSVRecord r : csv(predictions)) {
            rows.put(r.get("path"), r);
        }
        for (String f : used) {
            CSVRecord row = rows.get(f);
            ledger().record(CHECK, "predict: " + f, "a row with a label", row == null ? "no row"
                    : !row.get("label").isEmpty() && row.get("error").isEmpty() ? "a row with a label"
                    : "an error row: " + row.get("error"));
        }
        for (String f : skipped) {
            CSVRecord row = rows.get(f);
            ledger().record(CHECK, "predict: " + f, "the reason train gave", row == null ? "no row"
                    : row.get("error").equals(skippedCsv.get(f)) ? "the reason train gave"
                    : "another: " + row.get("error") + " (train: " + skippedCsv.get(f) + ")");
        }
        for (String f : ignored) {
            ledger().record(CHECK, "predict: " + f, "no row", rows.keySet().stream().anyMatch(p -> within(p, f))
                    ? "a row" : "no row");
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
        Path presplit = corpus.resolve("presplit").toAbsolutePath().normalize();
        int split2 = GraftCli.run("train", "--data", presplit.toString(), "--backbone", tiny.toString(),
                "--preprocess", "KERAS_TF", "--size", "32", "--out", tmp.resolve("r4").toString(), "--no-progress");
        ledger().record(CHECK, "train: a root holding train/ and val/", "refused with --data and --val",
                split2 == 2 && stderr().contains("--data " + presplit.resolve("train") + " --val "
                        + presplit.resolve("val")) ? "refused with --data and --val" : "exit " + split2);
        int openQuote = GraftCli.run("train", "--data", data.toString(), "--group-by",
                corpus.resolve("open-quote.csv").toString(), "--backbone", tiny.toString(), "--preprocess",
                "KERAS_TF", "--size", "32", "--out", tmp.resolve("r5").toString(), "--no-progress");
        ledger().record(CHECK, "train: a --group-by CSV with an unterminated quote", "refused naming file and line",
                openQuote == 2 && stderr().contains("open-quote.csv") && stderr().contains("line 3")
                        ? "refused naming file and line" : "exit " + openQuote);
        ledger().record(CHECK, "train: the refused runs", "no model, no stack trace", !stderr().contains("\tat ")
                && !stderr().contains("bug in Graft") && !Files.exists(tmp.resolve("r2/model.zip"))
                && !Files.exists(tmp.resolve("r3/model.zip")) && !Files.exists(tmp.resolve("r4/model.zip"))
                && !Files.exists(tmp.resolve("r5/model.zip")) ? "no model, no stack trace"
                : "a model or a stack trace:\n" + stderr());
        assertEquals(List.of(), ledger().failures(CHECK), "every bad input has its documented outcome");
    }
}
