package org.graft.backbone;

import org.graft.common.Fetcher;
import org.graft.common.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keras files from strangers: a real Keras model mutated at random (seeded, so every run tries the same files) and
 * truncated at random lengths is either imported or refused with a GraftException, never a crash or another
 * exception. (The ONNX converter's own fuzzing is in OnnxFileTest.)
 */
class ImporterFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void mutatedAndTruncatedKerasFilesNeverCrash() throws Exception {
        byte[] original = Files.readAllBytes(TinyBackbone.file());
        BackboneLoader loader = BackboneLoader.builder()
                .setFetcher(Fetcher.builder().setCacheDir(tmp.resolve("cache")).optOffline(true).build()).build();
        Random random = new Random(20261129);
        int imported = 0;
        int refused = 0;
        int other = 0;
        StringBuilder others = new StringBuilder();
        int cases = 48;
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
            Path file = Files.write(tmp.resolve("case" + i + ".h5"), bytes);
            try {
                loader.load(file.toString());
                imported++;
            } catch (GraftException e) {
                refused++;
            } catch (RuntimeException e) {
                other++;
                others.append(file.getFileName()).append(": ").append(e).append('\n');
            }
        }
        System.out.println("Keras importer fuzz: " + cases + " tried, " + imported + " imported, " + refused
                + " refused clearly, " + other + " other exceptions, 0 crashed");
        assertEquals(0, other, others.toString());
    }
}
