package org.graft.cli;

import picocli.CommandLine.Option;

/** The one way to let a command replace something it did not write itself (a picocli mixin). */
public final class OverwriteOption {
    @Option(names = "--overwrite", description = "Replace what --out names even when Graft did not write it (a "
            + "finished run, a model, an image, another program's file). Without it such an --out is refused.")
    boolean overwrite;
}
