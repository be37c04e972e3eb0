package org.graft.cli;

import org.graft.common.CliErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;


/** The {@code graft} command. User mistakes are reported in a sentence or two, without a stack trace. */
@Command(name = "graft", mixinStandardHelpOptions = true, version = "graft 0.1.0",
        description = "Graft a new classifier onto a pretrained image model (DL4J transfer learning).",
        footer = {"", "A folder of images, one sub-folder per class, becomes a classifier:",
                "  graft train --data my-images --out runs/mine",
                "  graft predict --model runs/mine --input new-images --out predictions.csv",
                "  open runs/mine/report.html",
                "Downloads are cached under GRAFT_HOME; GRAFT_MIRROR=DIR is searched first (offline machines)."},
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, InspectCommand.class,
                ExportCommand.class, BenchCommand.class, FetchCommand.class, UiCommand.class, ReportCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class GraftCli {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code: 0 success, 1 unexpected failure, 2 a problem the user can fix. */
    public static int run(String... args) {
        GraftCli root = new GraftCli();
        CommandLine cli = new CommandLine(root);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> CliErrors.report(e, root.debug, cmd.getErr()));
        return cli.execute(args);
    }
}
