package org.graft.cli;

import org.graft.common.BadOptionException;
import org.graft.model.run.RunFolder;
import org.graft.train.TrainingUi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "ui", mixinStandardHelpOptions = true,
        description = "Show a finished run's training statistics in DL4J's training UI (run it with 'train --ui').",
        footer = {"", "Example:", "  graft ui runs/mine     then open http://127.0.0.1:9000/train/overview"})
public final class UiCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A run folder trained with --ui.")
    Path run;

    @Option(names = "--ui-host", defaultValue = TrainingUi.DEFAULT_HOST, paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this computer only).")
    String host;

    @Option(names = "--ui-port", defaultValue = "" + TrainingUi.DEFAULT_PORT,
            description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        Path stats = run.resolve(RunFolder.UI_STATS);
        if (!Files.isRegularFile(stats)) {
            throw new BadOptionException("No training statistics in " + run + " (" + RunFolder.UI_STATS + ").",
                    "Train with --ui to record them: graft train --data DIR --ui --out " + run);
        }
        try (TrainingUi ui = TrainingUi.start(host, port)) {
            ui.show(stats);
            System.out.println("Training UI: " + ui.url());
            System.out.println("Press Ctrl+C to stop.");
            Thread.currentThread().join();
        }
        return 0;
    }

    /** After training with --ui, keep the page up until the user presses Enter (only at a terminal). */
    static void waitWhileUiOpen() throws IOException {
        if (System.console() == null) {
            return;
        }
        System.out.println("The training UI stays up until you press Enter.");
        new BufferedReader(new InputStreamReader(System.in)).readLine();
    }
}
