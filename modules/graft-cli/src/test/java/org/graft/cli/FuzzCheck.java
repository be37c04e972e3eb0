package org.graft.cli;

import org.graft.backbone.BackboneLoader;
import org.graft.backbone.TinyBackbone;
import org.graft.common.Fetcher;
import org.graft.common.GraftException;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.graft.onnx.ByteMutants;
import org.graft.onnx.imports.OnnxConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Model files from strangers: real ONNX, Keras .h5 and bundle files, mutated at random (a few bytes changed) and
 * truncated at random lengths. Each must either load or be refused with a GraftException (a clear message); any
 * other exception, an UnexpectedFailure (a bug, named with its file) included, fails the check. Seeded, so every run
 * tries the same files.
 */
abstract class FuzzCheck {
    @TempDir
    Path tmp;

    private static final String DOCUMENTED = "loaded, or refused with a clear message";

    abstract ReliabilityLedger ledger();

    /** Loads each mutant and records its outcome; fails on anything but a load or a GraftException. */
    private void fuzz(String kind, byte[] original, int cases, long seed, Consumer<Path> load) throws Exception {
        String check = "fuzzed " + kind;
        ByteMutants mutants = new ByteMutants(original, seed);
        for (int i = 0; i < cases; i++) {
            Path file = Files.write(tmp.resolve(kind + i + "." + kind), mutants.mutant(i));
            String name = file.getFileName().toString();
            try {
                load.accept(file);
                ledger().record(check, name, DOCUMENTED, "loaded", true);
            } catch (GraftException e) {
                ledger().record(check, name, DOCUMENTED, "refused (" + e.kind() + ")", true);
            } catch (RuntimeException | StackOverflowError e) {
                ledger().crash(check, name, DOCUMENTED, e);
            }
        }
        assertEquals(List.of(), ledger().failures(check), kind + " mutants must load or be refused clearly");
    }

    @Test
    void onnxModels() throws Exception {
        byte[] original;
        try (InputStream in = FuzzCheck.class.getResourceAsStream("/onnx-ops/tiny_cnn.onnx")) {
            original = in.readAllBytes();
        }
        fuzz("onnx", original, 200, 42, f -> OnnxConverter.builder().build().convert(f));
    }

    @Test
    void kerasModels() throws Exception {
        BackboneLoader loader = BackboneLoader.builder()
                .setFetcher(Fetcher.builder().setCacheDir(tmp.resolve("cache")).optOffline(true).build()).build();
        fuzz("h5", Files.readAllBytes(TinyBackbone.file()), 48, 20261129, f -> loader.load(f.toString()));
    }

    @Test
    void modelBundles() throws Exception {
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 5, 32, 1);
        Path tiny = Files.copy(TinyBackbone.file(), tmp.resolve("tiny.h5"));
        Path run = tmp.resolve("run");
        assertEquals(0, GraftCli.run("train", "--data", data.toString(), "--backbone", tiny.toString(),
                "--preprocess", "KERAS_TF", "--size", "32", "--epochs", "1", "--out", run.toString(), "--no-progress",
                "--no-cache"));
        fuzz("zip", Files.readAllBytes(run.resolve("model.zip")), 80, 7, ModelBundle::load);
    }
}
