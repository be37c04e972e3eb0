package org.graft.cli;

import org.graft.common.GraftException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

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
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> report(e, root.debug, cmd.getErr()));
        return cli.execute(args);
    }

    static int report(Exception e, boolean debug, PrintWriter err) {
        Throwable cause = e;
        while (!(cause instanceof GraftException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof GraftException g) {
            err.println("error: " + g.getMessage());
            if (g.hint() != null) {
                err.println("  what to do: " + g.hint());
            }
            if (debug) {
                g.printStackTrace(err);
            }
            err.flush();
            return 2;
        }
        err.println("error: " + e);
        if (debug) {
            e.printStackTrace(err);
        } else {
            err.println("  This looks like a bug in Graft; run again with --debug for the details and report them.");
        }
        err.flush();
        return 1;
    }
}
