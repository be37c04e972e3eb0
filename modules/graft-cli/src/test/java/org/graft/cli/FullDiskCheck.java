package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.data.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real full disk (a 2 MB tmpfs, mounted for the test; skipped where mounting is not allowed): predict, export and
 * train say the disk is full, leave the previous good file byte for byte, and leave no half-written debris.
 */
abstract class FullDiskCheck {
    private static final String CHECK = "full disk";
    @TempDir
    Path tmp;
    Path disk;
    boolean mounted;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = Files.createDirectories(tmp.resolve("disk"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk.toString()) == 0;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", disk.toString());
        }
    }

    abstract ReliabilityLedger ledger();

    private String stderr() {
        return output.err();
    }

    /** Fills the small disk to the last byte. */
    private void fill() {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(disk.resolve("filler"))) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // no space left: what we wanted
        }
    }

    @Test
    void aFullDiskCostsNothingAlreadyWritten() throws Exception {
        assumeTrue(mounted, "Skipped: mounting a small tmpfs needs root (the test makes a real full disk)");
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 6, 32, 1);
        Path tiny = tmp.resolve("tiny.h5");
        Files.copy(TinyBackbone.file(), tiny);
        Path run = disk.resolve("run");
        String[] train = {"train", "--data", data.toString(), "--backbone", tiny.toString(), "--preprocess",
                "KERAS_TF", "--size", "32", "--epochs", "1", "--out", run.toString(), "--no-progress", "--no-cache"};
        assertEquals(0, GraftCli.run(train), stderr());
        Path csv = disk.resolve("p.csv");
        assertEquals(0, GraftCli.run("predict", "--model", run.toString(), "--input", data.toString(), "--out",
                csv.toString()), stderr());
        Path onnx = disk.resolve("m.onnx");
        assertEquals(0, GraftCli.run("export", "--model", run.toString(), "--out", onnx.toString()), stderr());
        byte[] model = Files.readAllBytes(run.resolve("model.zip"));
        byte[] predictions = Files.readAllBytes(csv);
        byte[] exported = Files.readAllBytes(onnx);

        fill();
        int predict = GraftCli.run("predict", "--model", run.toString(), "--input", data.toString(), "--out",
                csv.toString());
        int export = GraftCli.run("export", "--model", run.toString(), "--out", onnx.toString());
        // replacing the run (--overwrite) on a full disk must keep the previous one whole
        String[] overwrite = java.util.Arrays.copyOf(train, train.length + 1);
        overwrite[train.length] = "--overwrite";
        int retrain = GraftCli.run(overwrite);
        for (var c : List.of(Map.entry("predict", predict), Map.entry("export", export),
                Map.entry("train", retrain))) {
            ledger().record(CHECK, c.getKey() + " onto a full disk", "refused: disk is full", c.getValue() == 2
                    && stderr().contains("disk is full") && !stderr().contains("\tat ") ? "refused: disk is full"
                    : "exit " + c.getValue() + ": " + stderr());
        }
        boolean predictionsKept = Arrays.equals(predictions, Files.readAllBytes(csv));
        boolean exportKept = Arrays.equals(exported, Files.readAllBytes(onnx));
        boolean modelKept = Arrays.equals(model, Files.readAllBytes(run.resolve("model.zip")));
        ledger().fileKept(predictionsKept);
        ledger().fileKept(exportKept);
        ledger().fileKept(modelKept);
        assertEquals(2, predict, stderr());
        assertEquals(2, export, stderr());
        assertEquals(2, retrain, stderr());
        assertTrue(stderr().contains("disk is full"), stderr());
        assertFalse(stderr().contains("\tat "), "no stack trace:\n" + stderr());
        assertTrue(predictionsKept, "the previous predictions are intact");
        assertTrue(exportKept, "the previous export is intact");
        assertTrue(modelKept, "the previous model is intact");
        try (Stream<Path> all = Files.walk(disk)) {
            List<Path> debris = all.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
            ledger().record(CHECK, "half-written files left on the full disk", "none", debris.isEmpty() ? "none"
                    : debris.toString());
            assertTrue(debris.isEmpty(), "no half-written files: " + debris);
        }
    }
}
