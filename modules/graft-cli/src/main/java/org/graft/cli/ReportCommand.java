package org.graft.cli;

import org.graft.model.run.RunClaim;
import org.graft.model.run.RunFolder;
import org.graft.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild a run's report: one HTML file (data, curves, confusion matrix, per-class metrics, "
                + "gallery, model card) that opens offline.",
        footer = {"", "Example:", "  graft report runs/demo && xdg-open runs/demo/report.html"})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A run folder made by 'graft train'.")
    Path run;

    @Override
    public Integer call() throws Exception {
        try (RunClaim claim = RunClaim.claim(RunFolder.at(run), RunClaim.Intent.UPDATE, "report")) {
            System.out.println("Report: " + RunReport.write(run).toAbsolutePath());
        }
        return 0;
    }
}
