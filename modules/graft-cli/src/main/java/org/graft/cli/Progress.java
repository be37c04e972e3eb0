package org.graft.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * A progress bar (count, rate, ETA and a message such as the running loss) on a terminal; plain lines every
 * {@value #PLAIN_EVERY_MS} ms when the output is a log or CI; nothing when switched off.
 */
public final class Progress implements AutoCloseable {
    static final int PLAIN_EVERY_MS = 10_000;
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    public static Progress start(boolean enabled, PrintStream out, String task, long total, String unit) {
        if (!enabled) {
            return new Progress(null);
        }
        boolean terminal = System.console() != null;
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 250 : PLAIN_EVERY_MS)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(out)
                        : new DelegatingProgressBarConsumer(plainLines(out)))
                .build();
        return new Progress(bar);
    }

    /** Prints each state once: the library renders the final state twice when it closes. */
    private static java.util.function.Consumer<String> plainLines(PrintStream out) {
        String[] last = {null};
        return line -> {
            String l = line.strip();
            if (!l.equals(last[0])) {
                out.println(l);
                last[0] = l;
            }
        };
    }

    /** Passes batches through, stepping the bar by each batch's size. */
    public java.util.Iterator<org.nd4j.linalg.dataset.DataSet> counting(
            java.util.Iterator<org.nd4j.linalg.dataset.DataSet> batches) {
        return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public org.nd4j.linalg.dataset.DataSet next() {
                org.nd4j.linalg.dataset.DataSet ds = batches.next();
                step(ds.numExamples(), null);
                return ds;
            }
        };
    }

    public void step(long n, String message) {
        if (bar != null) {
            bar.stepBy(n);
            if (message != null) {
                bar.setExtraMessage(message);
            }
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
