package org.graft.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options of the commands that train (train, demo), shared as a picocli mixin. */
public final class RunOptions {
    @Mixin
    ProgressOptions progress;

    @Option(names = "--no-cache", description = "Do not reuse or keep backbone features between runs "
            + "(transfer mode keeps them in $GRAFT_HOME/cache/features).")
    boolean noCache;

    /** The feature cache folder, or null when switched off. */
    Path featureCache(Workspace workspace) {
        return noCache ? null : workspace.featureCache();
    }

    boolean progressBars() {
        return progress.enabled();
    }
}
