package org.graft.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import org.graft.common.Json;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ONNX fixtures: small per-op models committed under {@code src/test/resources/onnx-ops} (shared with other
 * modules through this module's test jar) and torchvision models generated at test time by
 * {@code fixtures/make_onnx_fixtures.py} (Debian's python3-torch, -torchvision, -onnx).
 */
public final class OnnxFixtures {
    public static final String NEEDS = "python3 with torch, torchvision and onnx "
            + "(Debian: apt-get install python3-torch python3-torchvision python3-onnx)";

    private OnnxFixtures() {
    }

    /** The onnx-ops folder (in this module's own tests, where it is a folder and not inside a jar). */
    public static Path opsDir() {
        try {
            return Path.of(OnnxFixtures.class.getResource("/onnx-ops/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Debian's python (the fixtures need its torch), or whatever python3 is on the PATH. */
    public static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    public static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import torch, torchvision, onnx")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs {@code make_onnx_fixtures.py golden OUT IMAGES...} (it returns at once when OUT is up to date). */
    public static void generateGolden(Path out, List<Path> images) throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(OnnxFixtures.class.getResource("/fixtures/make_onnx_fixtures.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> args = new ArrayList<>(List.of(python(), script.toString(), "golden", out.toString()));
        images.forEach(p -> args.add(p.toString()));
        Path log = Files.createDirectories(out).resolve("golden.log");
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("ONNX fixture generation failed:\n" + Files.readString(log));
        }
    }

    /**
     * A fixture's bytes: a model of onnx-ops ("relu6.onnx"), or the export of one of the DL4J graphs of
     * {@link Dl4jGraphs#EXPORTS} ("graft-nhwc.onnx"), built anew.
     */
    public static byte[] bytes(String fixture) throws IOException {
        var model = Dl4jGraphs.EXPORTS.get(fixture);
        return model != null ? model.get().export() : Files.readAllBytes(opsDir().resolve(fixture));
    }

    /** The cases of onnx-ops/manifest.json: all of them, or only those that must convert and match. */
    public static List<JsonNode> opsCases(boolean matchingOnly) throws IOException {
        List<JsonNode> cases = new ArrayList<>();
        for (JsonNode c : Json.mapper().readTree(opsDir().resolve("manifest.json").toFile()).get("cases")) {
            if (!matchingOnly || c.get("expect").asText().equals("match")) {
                cases.add(c);
            }
        }
        return cases;
    }

    /** A shape written in the manifest as a JSON array of numbers. */
    public static long[] shape(JsonNode s) {
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    /** A raw little-endian float32 file as an array of the given shape. */
    public static INDArray readF32(Path file, long... shape) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Nd4j.create(v, shape, 'c');
    }
}
