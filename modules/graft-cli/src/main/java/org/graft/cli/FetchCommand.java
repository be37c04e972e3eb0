package org.graft.cli;

import org.graft.data.SampleDatasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Download (or find in GRAFT_MIRROR) a backbone's weights and/or a sample data set, checking "
                + "checksums.",
        footer = {"", "Examples:",
                "  graft fetch                                (default backbone and the demo's images)",
                "  GRAFT_MIRROR=/media/usb/graft-mirror graft fetch --backbone efficientnet-b0"})
public final class FetchCommand implements Callable<Integer> {
    @Option(names = "--backbone", paramLabel = "NAME", description = "A backbone from the registry.")
    String backbone;

    @Option(names = "--dataset", paramLabel = "NAME", description = "A sample data set (hymenoptera).")
    String dataset;

    @Mixin
    Workspace workspace;

    @Override
    public Integer call() {
        if (backbone == null && dataset == null) {
            backbone = workspace.backboneLoader().build().registry().defaultName();
            dataset = SampleDatasets.HYMENOPTERA.name();
        }
        if (backbone != null) {
            var spec = workspace.backboneLoader().build().registry().get(backbone);
            Path file = workspace.modelFetcher().fetch(spec.file());
            System.out.println("Backbone " + backbone + ": " + file);
        }
        if (dataset != null) {
            Path dir = SampleDatasets.fetch(SampleDatasets.get(dataset), workspace.datasetsDir(),
                    workspace.datasetFetcher());
            System.out.println("Data set " + dataset + ": " + dir);
        }
        return 0;
    }
}
