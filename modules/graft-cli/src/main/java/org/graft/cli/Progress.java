package org.graft.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long pass (count, rate, ETA and a status such as the running loss): a progress bar on a terminal;
 * in a log or CI, one plain line every {@value #PLAIN_EVERY_MS} ms and one at the end, each readable on its own
 * ("Epoch 3/10: 8/8 batch, 4.1 batch/s, loss 0.3181"); nothing when switched off.
 */
final class Progress implements AutoCloseable {
    static final int PLAIN_EVERY_MS = 10_000;
    private final ProgressBar bar;
    private final PlainLines plain;

    private Progress(ProgressBar bar, PlainLines plain) {
        this.bar = bar;
        this.plain = plain;
    }

    static Progress start(boolean enabled, PrintStream out, String task, long total, String unit) {
        if (!enabled) {
            return new Progress(null, null);
        }
        if (System.console() == null) {
            return new Progress(null, new PlainLines(out, task, total, unit, System::nanoTime));
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build();
        return new Progress(bar, null);
    }

    /** Passes batches through, stepping by each batch's size. */
    Iterator<DataSet> counting(Iterator<DataSet> batches) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public DataSet next() {
                DataSet ds = batches.next();
                step(ds.numExamples(), null);
                return ds;
            }
        };
    }

    void step(long n, String status) {
        if (bar != null) {
            bar.stepBy(n);
            if (status != null) {
                bar.setExtraMessage(" " + status);
            }
        } else if (plain != null) {
            plain.step(n, status);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        } else if (plain != null) {
            plain.finish();
        }
    }

    /** Progress as log lines: none at the start, one every interval, one at the end. */
    static final class PlainLines {
        private final PrintStream out;
        private final String task;
        private final long total;
        private final String unit;
        private final LongSupplier clock;
        private final long started;
        private long lastLine;
        private long done;
        private String status;

        PlainLines(PrintStream out, String task, long total, String unit, LongSupplier nanoClock) {
            this.out = out;
            this.task = task;
            this.total = total;
            this.unit = unit;
            this.clock = nanoClock;
            this.started = nanoClock.getAsLong();
            this.lastLine = started;
        }

        void step(long n, String newStatus) {
            done += n;
            if (newStatus != null) {
                status = newStatus;
            }
            long now = clock.getAsLong();
            if ((now - lastLine) / 1_000_000 >= PLAIN_EVERY_MS && done < total) {
                print(now);
                lastLine = now;
            }
        }

        void finish() {
            print(clock.getAsLong());
        }

        private void print(long now) {
            double seconds = Math.max(1e-9, (now - started) / 1e9);
            double rate = done / seconds;
            String eta = done >= total || rate <= 0 ? "" : String.format(Locale.ROOT, ", %s left",
                    clock((long) ((total - done) / rate)));
            out.printf(Locale.ROOT, "%s: %d/%d %s, %.1f %s/s%s%s%n", task, done, total, unit, rate, unit, eta,
                    status == null ? "" : ", " + status);
        }

        private static String clock(long seconds) {
            return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
        }
    }
}
