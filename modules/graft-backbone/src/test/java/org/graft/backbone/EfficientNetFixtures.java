package org.graft.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.graft.common.Checksums;
import org.graft.common.Fetcher;
import org.graft.common.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Generates the EfficientNet-B0 Keras fixtures (fixtures/make_efficientnet_fixtures.py, h5py + numpy) for tests in
 * any module, and a registry whose entries point at them (shared through this module's test jar).
 */
public final class EfficientNetFixtures {
    public static final String NEEDS = "python3 with h5py and numpy (Debian: apt-get install python3-h5py python3-numpy)";

    private EfficientNetFixtures() {
    }

    public static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    public static Path script() {
        return TinyBackbone.fixture("make_efficientnet_fixtures.py");
    }

    public static boolean available() {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import h5py, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs the generator into {@code out} (random inputs when {@code inputs} is empty). */
    public static void generate(Path out, List<Path> inputs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(python(), script().toString(), out.toString()));
        inputs.forEach(p -> args.add(p.toString()));
        Path log = Files.createDirectories(out).resolve("fixtures.log");
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("fixture generation failed:\n" + Files.readString(log));
        }
    }

    /** The built-in registry with each fixture's own checksum in place of the official one. */
    public static BackboneRegistry registryFor(Path fixtures) throws IOException {
        ObjectNode json = (ObjectNode) Json.mapper().readTree(
                BackboneRegistry.class.getResourceAsStream("registry.json"));
        for (JsonNode b : json.get("backbones")) {
            ObjectNode file = (ObjectNode) b.get("file");
            Path fixture = fixtures.resolve(file.get("fileName").asText());
            if (Files.exists(fixture)) {
                file.remove("md5");
                file.put("sha256", Checksums.sha256(fixture));
            }
        }
        return BackboneRegistry.parse(json);
    }

    /** A loader that finds the fixtures as a mirror, through the same path as a real download. */
    public static BackboneLoader loader(Path fixtures, Path cache) throws IOException {
        Fetcher fetcher = Fetcher.builder().setCacheDir(cache).optMirrorDir(fixtures).optOffline(true).build();
        return BackboneLoader.builder().setFetcher(fetcher).optRegistry(registryFor(fixtures)).build();
    }
}
