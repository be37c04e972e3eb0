package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `graft train` interrupted in a real process (kill -9, as the OOM killer or a closed laptop would, and Ctrl-C) at
 * several points of a fine-tuning run with augmentation (in the head phase, early and late in the fine-tune phase),
 * then `graft train --resume RUN`: every resumed run must end with the same history (timings aside) and the same
 * weights as a run that was never interrupted, to float rounding ({@link #ROUNDING}).
 */
abstract class ResumeCheck {
    private static final String CHECK = "interrupted runs";
    private static final int HEAD_EPOCHS = 3;
    // enough epochs after the last interruption that Ctrl-C lands before the run ends (an epoch takes ~0.1 s)
    private static final int EPOCHS = 10;
    @TempDir
    Path tmp;

    abstract ReliabilityLedger ledger();

    /** An interruption: which signal, after how many finished epochs. */
    private record Interruption(String signal, int afterEpochs) {
        String describe() {
            return ("KILL".equals(signal) ? "kill -9" : "INT".equals(signal) ? "Ctrl-C (SIGINT)" : "kill (SIGTERM)") + " after epoch " + afterEpochs + " of "
                    + (HEAD_EPOCHS + EPOCHS) + (afterEpochs < HEAD_EPOCHS ? " (head phase)" : " (fine-tune phase)");
        }
    }

    @Test
    void aRunInterruptedAnywhereResumesToTheSameModel() throws Exception {
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "green", "red"),
                List.of(Color.BLUE, Color.GREEN, Color.RED), 12, 32, 1);
        Path tiny = Files.copy(TinyBackbone.file(), tmp.resolve("tiny.h5"));
        Path reference = tmp.resolve("reference");
        Process whole = start(train(data, tiny, reference), tmp.resolve("reference.log"));
        assertTrue(whole.waitFor(5, TimeUnit.MINUTES) && whole.exitValue() == 0, log("reference"));
        List<EpochStats> expectedHistory = history(reference);
        INDArray expectedWeights = ModelBundle.load(reference).graph().params();
        assertEquals(HEAD_EPOCHS + EPOCHS, expectedHistory.size());

        List<String> problems = new ArrayList<>();
        for (Interruption stop : List.of(new Interruption("KILL", 1), new Interruption("KILL", HEAD_EPOCHS + 1),
                new Interruption(sigintIgnored() ? "TERM" : "INT", HEAD_EPOCHS + 3))) {
            Path run = tmp.resolve("run-" + stop.signal() + "-" + stop.afterEpochs());
            String name = "run-" + stop.signal() + "-" + stop.afterEpochs();
            Process training = start(train(data, tiny, run), tmp.resolve(name + ".log"));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (history(run).size() < stop.afterEpochs() && training.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(training.isAlive(), "the run was still going: " + log(name));
            signal(training, stop.signal());
            assertTrue(training.waitFor(60, TimeUnit.SECONDS), "the run stopped");
            int before = history(run).size();
            if (!stop.signal().equals("KILL")) {
                assertTrue(log(name).contains("graft train --resume " + run), "Ctrl-C says how to resume: "
                        + log(name));
            }
            Process resumed = start(List.of("train", "--resume", run.toString(), "--no-progress"),
                    tmp.resolve(name + "-resumed.log"));
            assertTrue(resumed.waitFor(5, TimeUnit.MINUTES) && resumed.exitValue() == 0, log(name + "-resumed"));
            boolean sameHistory = closeHistories(expectedHistory, history(run));
            boolean sameWeights = close(expectedWeights, ModelBundle.load(run).graph().params());
            String outcome = sameHistory && sameWeights ? "the same history and weights"
                    : (sameHistory ? "" : "another history; ") + (sameWeights ? "" : "other weights");
            ledger().record(CHECK, stop.describe() + " (stopped at " + before + ")", "the same history and weights",
                    outcome);
            if (!sameHistory || !sameWeights) {
                problems.add(stop.describe() + ": " + outcome + "\n expected " + expectedHistory + "\n got      "
                        + history(run));
            }
        }
        assertEquals(List.of(), problems, "a resumed run ends as an uninterrupted one");
    }

    /**
     * Equal to float rounding: a pass over the same batch can round differently from one process to the next
     * (native kernels' results depend a little on where their buffers lie), so a resumed run agrees with an
     * uninterrupted one to ~1e-8, not bit for bit. A different shuffle, schedule or checkpoint differs by far more.
     */
    static final double ROUNDING = 1e-6;

    private static boolean closeHistories(List<EpochStats> expected, List<EpochStats> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            EpochStats a = expected.get(i);
            EpochStats b = actual.get(i);
            double[] x = {a.trainLoss(), a.trainAccuracy(), a.validationLoss(), a.validationAccuracy(),
                    a.validationMacroF1(), a.learningRate()};
            double[] y = {b.trainLoss(), b.trainAccuracy(), b.validationLoss(), b.validationAccuracy(),
                    b.validationMacroF1(), b.learningRate()};
            if (a.epoch() != b.epoch() || a.phase() != b.phase() || !close(x, y)) {
                return false;
            }
        }
        return true;
    }

    private static boolean close(double[] x, double[] y) {
        for (int j = 0; j < x.length; j++) {
            boolean bothNaN = Double.isNaN(x[j]) && Double.isNaN(y[j]);
            if (!bothNaN && !(Math.abs(x[j] - y[j]) <= ROUNDING * Math.max(1, Math.abs(x[j])))) {
                return false;
            }
        }
        return true;
    }

    private static boolean close(INDArray expected, INDArray actual) {
        return java.util.Arrays.equals(expected.shape(), actual.shape()) && expected.sub(actual).amaxNumber()
                .doubleValue() <= ROUNDING * Math.max(1, expected.amaxNumber().doubleValue());
    }

    private static List<String> train(Path data, Path tiny, Path out) {
        return List.of("train", "--data", data.toString(), "--backbone", tiny.toString(), "--preprocess",
                "KERAS_TF", "--size", "32", "--mode", "finetune", "--head-epochs", String.valueOf(HEAD_EPOCHS),
                "--epochs", String.valueOf(EPOCHS), "--patience", "0", "--batch", "8", "--lr", "0.005", "--augment",
                "--out", out.toString(), "--no-progress", "--no-cache");
    }

    /** `graft` in a JVM of its own (so that it can be killed), its output in {@code log}. */
    private static Process start(List<String> args, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-cp", System.getProperty("java.class.path"), "org.graft.cli.GraftCli"));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private String log(String name) throws Exception {
        return Files.readString(tmp.resolve(name + ".log"));
    }

    /**
     * Whether this JVM, and so every process it starts, ignores SIGINT: a shell runs background jobs that way, and
     * a JVM that starts with SIGINT ignored never sees Ctrl-C. The same shutdown path is then tried with SIGTERM.
     */
    private static boolean sigintIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: assume signals as usual
        }
        return false;
    }

    private static void signal(Process p, String signal) throws Exception {
        if (signal.equals("KILL")) {
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no chance to tidy up
        } else {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor();
        }
    }

    /** The run's history without timings (empty while it has none, or while the file is being replaced). */
    private static List<EpochStats> history(Path run) {
        try {
            return RunFolder.at(run).readHistory().stream().map(EpochStats::withoutTiming).toList();
        } catch (RuntimeException partlyWritten) {
            return List.of();
        }
    }
}
