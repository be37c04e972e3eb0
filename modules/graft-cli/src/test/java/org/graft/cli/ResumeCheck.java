package org.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.graft.backbone.TinyBackbone;
import org.graft.common.Json;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `graft train` killed with SIGKILL in the middle of a run (a real process, killed as the OOM killer or a
 * closed laptop would), then `graft train --resume RUN`: it continues after the last finished epoch and ends
 * with a complete history and a model as good as an uninterrupted run's.
 */
abstract class ResumeCheck {
    @TempDir
    Path tmp;

    @Test
    void aRunKilledMidwayResumesAndFinishes() throws Exception {
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "green", "red"),
                List.of(Color.BLUE, Color.GREEN, Color.RED), 12, 32, 1);
        Path tiny = tmp.resolve("tiny.h5");
        Files.copy(TinyBackbone.file(), tiny);
        Path run = tmp.resolve("run");
        // fine-tuning: 5 epochs of the head alone, then 11 with the backbone; the kill may land in either phase
        int headEpochs = 5;
        int epochs = 16;
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.graft.cli.GraftCli",
                "train", "--data", data.toString(), "--backbone", tiny.toString(), "--preprocess", "KERAS_TF",
                "--size", "32", "--mode", "finetune", "--head-epochs", String.valueOf(headEpochs), "--epochs",
                String.valueOf(epochs - headEpochs), "--patience", "0", "--batch", "8",
                "--lr", "0.005", "--out", run.toString(), "--no-progress", "--no-cache"));
        Process training = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        // wait for two finished epochs, then kill -9 (no shutdown hooks, no chance to tidy up)
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        int finished = 0;
        while (finished < 2 && training.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            finished = epochsIn(run);
        }
        assertTrue(training.isAlive(), "the run was still going: " + Files.readString(tmp.resolve("killed.log")));
        training.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // SIGKILL on Linux
        int before = epochsIn(run);
        assertTrue(before >= 2 && before < epochs, "killed after " + before + " epochs");

        assertEquals(0, GraftCli.run("train", "--resume", run.toString()));
        JsonNode history = Json.mapper().readTree(run.resolve("history.json").toFile());
        assertEquals(epochs, history.size(), "every epoch once");
        for (int i = 0; i < epochs; i++) {
            assertEquals(i + 1, history.get(i).get("epoch").asInt());
            assertEquals(i < headEpochs ? "head" : "finetune", history.get(i).get("phase").asText(), "epoch " + (i + 1));
        }
        ModelBundle model = ModelBundle.load(run);
        assertEquals(epochs, model.description().training().epochs());
        JsonNode metrics = Json.mapper().readTree(run.resolve("metrics.json").toFile());
        assertTrue(metrics.get("accuracy").asDouble() >= 0.85, "as good as an uninterrupted run: " + metrics);
        ReliabilityTest.interruptions("kill -9 after epoch " + before + " of " + epochs + ", resumed to the end");
    }

    private static int epochsIn(Path run) {
        try {
            return Files.exists(run.resolve("history.json"))
                    ? Json.mapper().readTree(run.resolve("history.json").toFile()).size() : 0;
        } catch (Exception partlyWritten) {
            return 0;
        }
    }
}
