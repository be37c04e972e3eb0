package org.graft.backbone.onnx;

import org.graft.backbone.EfficientNetFixtures;
import org.graft.backbone.TinyBackbone;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX fixtures: small per-op models committed under {@code src/test/resources/onnx-ops} and torchvision models
 * generated at test time by {@code fixtures/make_onnx_fixtures.py} (Debian's python3-torch, -torchvision, -onnx).
 */
public final class OnnxFixtures {
    public static final String NEEDS = "python3 with torch, torchvision and onnx "
            + "(Debian: apt-get install python3-torch python3-torchvision python3-onnx)";

    private OnnxFixtures() {
    }

    public static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder(EfficientNetFixtures.python(), "-c", "import torch, torchvision, onnx")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs {@code make_onnx_fixtures.py golden OUT IMAGES...} (it returns at once when OUT is up to date). */
    public static void generateGolden(Path out, List<Path> images) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(EfficientNetFixtures.python(),
                TinyBackbone.fixture("make_onnx_fixtures.py").toString(), "golden", out.toString()));
        images.forEach(p -> args.add(p.toString()));
        Path log = Files.createDirectories(out).resolve("golden.log");
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("ONNX fixture generation failed:\n" + Files.readString(log));
        }
    }

    /** A raw little-endian float32 file as an array of the given shape. */
    public static INDArray readF32(Path file, long... shape) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Nd4j.create(v, shape, 'c');
    }
}
