package org.graft.common;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the optional folder of real material (pretrained weights, photos, data sets) that tests and benchmarks
 * use when it is there: {@code GRAFT_SHARED}, or a folder named {@code shared} beside the project root.
 * Tests skip, with a message, when it is absent.
 */
public final class SharedMaterial {
    public static final String ENV = "GRAFT_SHARED";

    private SharedMaterial() {
    }

    public static Optional<Path> find() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isDirectory(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("modules"))) {
                Path shared = dir.resolveSibling("shared");
                return Files.isDirectory(shared) ? Optional.of(shared) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A file or folder inside the shared material, if both exist. */
    public static Optional<Path> find(String relative) {
        return find().map(p -> p.resolve(relative)).filter(Files::exists);
    }

    public static String absentMessage(String relative) {
        return "Skipped: needs ../shared/" + relative + " (real material beside the project root, or set "
                + ENV + "); it is absent here.";
    }
}
