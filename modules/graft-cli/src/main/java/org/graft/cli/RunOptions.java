package org.graft.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options of the commands that train (train, demo), shared as a picocli mixin. */
public final class RunOptions {
    @Option(names = "--no-progress", description = "No progress bars (for logs).")
    boolean noProgress;

    @Option(names = "--no-cache", description = "Do not reuse or keep backbone features between runs "
            + "(transfer mode keeps them in $GRAFT_HOME/cache/features).")
    boolean noCache;

    /** The feature cache folder, or null when switched off. */
    Path featureCache(Workspace workspace) {
        return noCache ? null : workspace.featureCache();
    }
}
