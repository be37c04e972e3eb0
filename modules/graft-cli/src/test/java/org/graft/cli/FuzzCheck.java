package org.graft.cli;

import org.graft.backbone.BackboneLoader;
import org.graft.backbone.TinyBackbone;
import org.graft.common.Fetcher;
import org.graft.common.GraftException;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.graft.onnx.imports.OnnxConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Model files from strangers: real ONNX, Keras .h5 and bundle files, mutated at random (a few bytes changed) and
 * truncated at random lengths, each either loads or is refused with a GraftException, never a JVM crash or another
 * exception. Seeded, so every run tries the same files.
 */
abstract class FuzzCheck {
    @TempDir
    Path tmp;

    /** Loads each mutant; returns how many were refused; fails on anything but success or GraftException. */
    private int fuzz(String kind, byte[] original, int cases, long seed, Consumer<Path> load) throws Exception {
        Random random = new Random(seed);
        int refused = 0;
        StringBuilder other = new StringBuilder();
        for (int i = 0; i < cases; i++) {
            byte[] bytes;
            if (i % 4 == 3) {
                bytes = Arrays.copyOf(original, random.nextInt(original.length));
            } else {
                bytes = original.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            Path file = Files.write(tmp.resolve(kind + i + "." + kind), bytes);
            try {
                load.accept(file);
            } catch (GraftException e) {
                refused++;
            } catch (RuntimeException e) {
                other.append(file.getFileName()).append(": ").append(e).append('\n');
            }
        }
        assertEquals("", other.toString(), kind + " mutants must load or be refused clearly");
        ReliabilityTest.fuzzed(kind, cases, refused);
        return refused;
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
