package org.graft.cli;

import org.graft.backbone.BackboneLoader;
import org.graft.common.Fetcher;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Where Graft keeps downloads: {@code models/} and {@code datasets/} under GRAFT_HOME (set by bin/graft to the
 * project folder), or under the current folder. Shared by every command as a picocli mixin.
 */
public final class Workspace {
    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Cache for backbone weights (default: $GRAFT_HOME/models or ./models).")
    Path modelsDir;

    @Option(names = "--datasets-dir", paramLabel = "DIR",
            description = "Cache for sample data sets (default: $GRAFT_HOME/datasets or ./datasets).")
    Path datasetsDir;

    @Option(names = "--offline", description = "Never download; use the cache and GRAFT_MIRROR only.")
    boolean offline;

    Path home() {
        String env = System.getenv("GRAFT_HOME");
        return env == null || env.isBlank() ? Path.of("") : Path.of(env);
    }

    Path modelsDir() {
        return modelsDir != null ? modelsDir : home().resolve("models");
    }

    Path datasetsDir() {
        return datasetsDir != null ? datasetsDir : home().resolve("datasets");
    }

    /** Where transfer mode keeps backbone features for later runs. */
    Path featureCache() {
        return home().resolve("cache").resolve("features");
    }

    Fetcher fetcher(Path cache) {
        return Fetcher.builder().setCacheDir(cache).optMirrorFromEnvironment().optOffline(offline).build();
    }

    Fetcher modelFetcher() {
        return fetcher(modelsDir());
    }

    Fetcher datasetFetcher() {
        return fetcher(datasetsDir());
    }

    BackboneLoader.Builder backboneLoader() {
        return BackboneLoader.builder().setFetcher(modelFetcher());
    }
}
