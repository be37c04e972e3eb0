package org.graft.cli;

import picocli.CommandLine.Option;

/** The progress option every long command takes, as a picocli mixin. */
public final class ProgressOptions {
    @Option(names = "--no-progress", description = "No progress bars (for logs).")
    boolean noProgress;

    boolean enabled() {
        return !noProgress;
    }
}
