package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.data.TestImages;
import org.graft.model.run.RunFolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outputs that point at something precious, and other mistakes a user makes with paths, through train, evaluate,
 * predict, export, report, inspect and resume: each is refused with a clear message (exit 2, no stack trace) and
 * leaves every file it pointed at byte for byte as it was — or, where the documented outcome is to write, writes
 * only what it should. The documented outcomes are the README's "Where Graft writes" table.
 */
abstract class OutputSafetyCheck {
    private String check = "outputs";
    private static final String REFUSED = "refused, nothing changed";
    @TempDir
    Path tmp;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();
    Path data;
    Path tiny;
    Path run;

    abstract ReliabilityLedger ledger();

    @BeforeEach
    void aTrainedRun() throws Exception {
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"), List.of(Color.BLUE, Color.RED),
                6, 32, 2);
        tiny = Files.copy(TinyBackbone.file(), tmp.resolve("tiny.h5"));
        run = tmp.resolve("run");
        assertEquals(0, GraftCli.run(train(run).toArray(new String[0])), output.err());
    }

    private List<String> train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--backbone", tiny.toString(),
                "--preprocess", "KERAS_TF", "--size", "32", "--epochs", "1", "--batch", "8", "--out", out.toString(),
                "--no-progress", "--no-cache"));
        a.addAll(List.of(more));
        return a;
    }

    /** The bytes of every file under {@code paths}, to compare after a command. */
    private static Map<Path, byte[]> snapshot(Path... paths) throws Exception {
        Map<Path, byte[]> all = new TreeMap<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (var files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString()
                            .equals(RunFolder.LOCK)).toList()) {
                        all.put(f, Files.readAllBytes(f));
                    }
                }
            } else if (Files.exists(p)) {
                all.put(p, Files.readAllBytes(p));
            }
        }
        return all;
    }

    /**
     * Runs a command that must be refused: exit 2, a message naming what is wrong ({@code mentions}), no stack
     * trace, and every file under {@code kept} as it was.
     */
    private void refused(String name, List<String> command, String mentions, Path... kept) throws Exception {
        Map<Path, byte[]> before = snapshot(kept);
        output.resetErr();
        int code = GraftCli.run(command.toArray(new String[0]));
        String err = output.err();
        Map<Path, byte[]> after = snapshot(kept);
        boolean unchanged = before.keySet().equals(after.keySet())
                && before.keySet().stream().allMatch(p -> Arrays.equals(before.get(p), after.get(p)));
        for (int i = 0; i < Math.max(1, kept.length); i++) {
            ledger().fileKept(unchanged);
        }
        String actual = code != 2 ? "exit " + code + ": " + err
                : !err.contains(mentions) ? "refused without naming '" + mentions + "': " + err
                : err.contains("\tat ") ? "a stack trace: " + err
                : !unchanged ? "refused, but a file changed" : REFUSED;
        ledger().record(check, name, REFUSED, actual);
    }

    private static boolean isEmptyFolder(Path dir) throws Exception {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Runs a command that must succeed and write {@code written}. */
    private void writes(String name, List<String> command, Path written) {
        output.resetErr();
        int code = GraftCli.run(command.toArray(new String[0]));
        ledger().record(check, name, "written", code == 0 && Files.isRegularFile(written) ? "written"
                : "exit " + code + ": " + output.err());
    }

    @Test
    void predictExportAndEvaluateNeverReplaceWhatTheyDidNotWrite() throws Exception {
        Path model = run.resolve(RunFolder.MODEL);
        Path photo = TestImages.solid(tmp.resolve("photo.jpg"), 20, 20, Color.GREEN, "jpg");
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "a researcher's notes\n");
        Path folder = Files.createDirectories(tmp.resolve("a-folder"));
        Path input = data.resolve("red");
        List<String> predict = List.of("predict", "--model", run.toString(), "--input", input.toString(), "--out");
        List<String> export = List.of("export", "--model", run.toString(), "--out");
        List<String> evaluate = List.of("evaluate", "--model", run.toString(), "--out");

        for (String command : List.of("predict", "export", "evaluate")) {
            List<String> base = command.equals("predict") ? predict : command.equals("export") ? export : evaluate;
            refused(command + " --out the model it reads", with(base, model), "reads", model, run);
        }
        for (var target : List.of(Map.entry(photo, "is an image"), Map.entry(notes, "was not written by Graft"),
                Map.entry(run.resolve(RunFolder.SPLIT), "is part of the run"))) {
            String why = target.getValue();
            refused("predict --out a file that " + why, with(predict, target.getKey()), why, target.getKey(), run);
            refused("export --out a file that " + why, with(export, target.getKey()), why, target.getKey(), run);
            refused("evaluate --out a file that " + why, with(evaluate, target.getKey()), why, target.getKey(), run);
        }
        refused("evaluate --out the run's own metrics.json", with(evaluate, run.resolve(RunFolder.METRICS)),
                "is part of the run", run);
        refused("export --out the run's checkpoint", with(export, run.resolve(RunFolder.CHECKPOINT)),
                "is part of the run", run);
        Path otherModel = Files.copy(model, tmp.resolve("other-model.zip"));
        refused("predict --out another trained model", with(predict, otherModel), "is a trained model", otherModel);
        refused("predict --out one of its input images", with(predict, input.resolve("img_000.png")), "reads",
                input, run);
        refused("predict --out a folder", with(predict, folder), "is a folder", folder);
        refused("export --out a folder", with(export, folder), "is a folder", folder);
        refused("evaluate --out a folder", with(evaluate, folder), "is a folder", folder);
        refused("predict --out empty", with(predict, Path.of("")), "--out", run);
        refused("predict --out under /proc", with(predict, Path.of("/proc/graft-predictions.csv")), "Cannot write",
                run);
        refused("predict --format JSONL --out x.csv", List.of("predict", "--model", run.toString(), "--input",
                input.toString(), "--format", "JSONL", "--out", tmp.resolve("x.csv").toString()), "does not match");
        refused("predict --out x.txt (no format)", with(predict, tmp.resolve("x.txt")), "names no format");
        refused("evaluate --model a Keras file", List.of("evaluate", "--model", tiny.toString()), "Keras model",
                tiny, run);
        refused("predict --model an image", List.of("predict", "--model", photo.toString(), "--input",
                input.toString(), "--out", tmp.resolve("p0.csv").toString()), "not a readable zip", photo);

        Path csv = tmp.resolve("out/p.csv");
        writes("predict --out a new file in a new folder", with(predict, csv), csv);
        writes("predict --out its own earlier predictions", with(predict, csv), csv);
        Path jsonl = tmp.resolve("p.jsonl");
        writes("predict --out x.jsonl (JSON Lines by the name)", with(predict, jsonl), jsonl);
        ledger().record(check, "predict --out x.jsonl writes JSON Lines", "JSON Lines",
                Files.readString(jsonl).startsWith("{\"path\":") ? "JSON Lines" : "other");
        writes("predict --out its own earlier JSON Lines", with(predict, jsonl), jsonl);
        Path onnx = tmp.resolve("m.onnx");
        writes("export --out a new file", with(export, onnx), onnx);
        writes("export --out its own earlier export", with(export, onnx), onnx);
        writes("predict --out a foreign file with --overwrite", List.of("predict", "--model", run.toString(),
                "--input", input.toString(), "--format", "CSV", "--overwrite", "--out", notes.toString()), notes);

        // evaluation on other data gets a file of its own, and the run's own metrics stay
        Path other = TestImages.colourClasses(tmp.resolve("other"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 3, 32, 9);
        byte[] metrics = Files.readAllBytes(run.resolve(RunFolder.METRICS));
        Path evaluation = RunFolder.at(run).evaluationFile(other);
        writes("evaluate --data OTHER", List.of("evaluate", "--model", run.toString(), "--data", other.toString()),
                evaluation);
        ledger().fileKept(Arrays.equals(metrics, Files.readAllBytes(run.resolve(RunFolder.METRICS))));
        refused("evaluate --out the run's evaluation on other data", with(evaluate, evaluation),
                "is part of the run", run);
        assertEquals(0, GraftCli.run("report", run.toString()), output.err());
        ledger().record(check, "the report shows the evaluation on other data", "shown",
                Files.readString(run.resolve(RunFolder.REPORT)).contains("id=\"evaluations\"") ? "shown" : "not shown");
        assertEquals(List.of(), ledger().failures(check), "every output as documented");
    }

    @Test
    void trainNeverWritesOverARunOrIntoTheImagesOrAFolderItDidNotMake() throws Exception {
        check = "run folders";
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "notes\n");
        Path foreign = Files.createDirectories(tmp.resolve("my-folder"));
        Files.writeString(foreign.resolve("keep.txt"), "mine\n");
        refused("train --out a finished run", train(run), "already holds a finished run", run);
        refused("train --out a file", train(notes), "is a file", notes);
        refused("train --out a folder Graft did not make", train(foreign), "did not make", foreign);
        refused("train --out the data folder", train(data), "data folder", data);
        Path inside = data.resolve("red/runs");
        refused("train --out inside the data folder", train(inside), "data folder", data);
        ledger().record(check, "train --out inside the data leaves no folder there", "no folder",
                Files.exists(inside) ? "a folder was made" : "no folder");
        refused("train --val equal to --data", with(with(train(tmp.resolve("leak")), "--val"), data),
                "training folder");
        refused("train --out empty", train(Path.of("")), "--out");
        Path never = tmp.resolve("never");
        refused("train with a backbone that does not exist", List.of("train", "--data", data.toString(),
                "--backbone", tmp.resolve("missing.h5").toString(), "--out", never.toString(), "--no-progress"),
                "does not exist");
        ledger().record(check, "a run that cannot start leaves no run folder", "no folder",
                Files.exists(never) ? "a folder was left" : "no folder");
        refused("train --resume of a folder that is not a run", List.of("train", "--resume", foreign.toString()),
                "recipe.json", foreign);
        refused("report of a folder that is not a run", List.of("report", foreign.toString()), "not a run folder",
                foreign);

        Path history = run.resolve(RunFolder.HISTORY);
        Files.writeString(history, "[{\"epoch\": 1, \"phase\": \"hea");
        refused("report with a damaged history.json", List.of("report", run.toString()), "history.json", run);
        Files.writeString(run.resolve(RunFolder.METRICS), "{\"accuracy\": ");
        refused("report with a damaged metrics.json", List.of("report", run.toString()), "metrics.json", run);

        // an overwrite that fails before its first epoch (a damaged backbone, found after the split is written)
        Path damaged = Files.writeString(tmp.resolve("damaged.h5"), "not HDF5 at all");
        refused("train --overwrite with a damaged backbone leaves the old run as it was", List.of("train", "--data",
                data.toString(), "--backbone", damaged.toString(), "--seed", "7", "--overwrite", "--out",
                run.toString(), "--no-progress", "--no-cache"), "damaged.h5", run);
        Path usersEmpty = Files.createDirectories(tmp.resolve("users-empty"));
        refused("train into an empty folder the user made, failing", List.of("train", "--data", data.toString(),
                "--backbone", damaged.toString(), "--out", usersEmpty.toString(), "--no-progress"), "damaged.h5");
        ledger().record(check, "a run that fails in the user's empty folder leaves it empty", "empty",
                isEmptyFolder(usersEmpty) ? "empty" : "files left");

        // replacing a run needs --overwrite, and keeps what Graft did not write in the folder
        Files.writeString(run.resolve("my-notes.txt"), "mine\n");
        writes("train --out a finished run with --overwrite", train(run, "--overwrite"), run.resolve(RunFolder.MODEL));
        ledger().record(check, "--overwrite keeps the user's own files in the run folder", "kept",
                Files.exists(run.resolve("my-notes.txt")) ? "kept" : "removed");
        ledger().record(check, "--overwrite replaces the damaged history", "replaced",
                RunFolder.at(run).readHistory().size() == 1 ? "replaced" : "not replaced");
        assertEquals(List.of(), ledger().failures(check), "every mistake refused as documented");
    }

    @Test
    void aSecondTrainingIntoTheSameFolderIsRefusedWhileTheFirstRuns() throws Exception {
        check = "concurrent runs";
        Path shared = tmp.resolve("shared");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx2g", "-cp", System.getProperty("java.class.path"), "org.graft.cli.GraftCli"));
        List<String> longer = train(shared);
        longer.set(longer.indexOf("--epochs") + 1, "40");
        command.addAll(longer);
        Path log = tmp.resolve("first.log");
        Process first = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!RunFolder.at(shared).has(RunFolder.SPLIT) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(first.isAlive(), "the first run is still going: " + Files.readString(log));
        output.resetErr();
        int second = GraftCli.run(train(shared).toArray(new String[0]));
        String err = output.err();
        ledger().record(check, "a second train into a folder being trained", "refused naming the other process",
                second == 2 && err.contains("being written by another Graft") && err.contains("process")
                        ? "refused naming the other process" : "exit " + second + ": " + err);
        assertTrue(first.waitFor(5, TimeUnit.MINUTES), "the first run finished");
        ledger().record(check, "the first run finishes undisturbed", "finished", first.exitValue() == 0
                && RunFolder.at(shared).readHistory().size() == 40 ? "finished" : "exit " + first.exitValue()
                + ": " + Files.readString(log));
        assertEquals(List.of(), ledger().failures(check), "one writer at a time");
    }

    private static List<String> with(List<String> command, Object last) {
        List<String> a = new ArrayList<>(command);
        a.add(last.toString());
        return a;
    }
}
