package org.graft.cli;

import org.graft.common.Json;
import org.graft.model.EvaluationReport;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code graft train --rerun} checks: the rerun must have the same split (the data has not changed), the same
 * per-epoch losses and accuracies (timings aside) and the same final metrics as the original run.
 *
 * @param differences what differs, empty if the runs agree
 */
record RerunComparison(Path original, Path rerun, List<String> differences, double accuracy, double macroF1) {

    static RerunComparison compare(RunFolder original, RunFolder rerun) throws IOException {
        List<String> differences = new ArrayList<>();
        if (!sameBytes(original.file(RunFolder.SPLIT), rerun.file(RunFolder.SPLIT))) {
            differences.add("the split (" + RunFolder.SPLIT + ") differs: the data folder has changed since the "
                    + "first run");
        }
        List<EpochStats> h1 = original.readHistory().stream().map(EpochStats::withoutTiming).toList();
        List<EpochStats> h2 = rerun.readHistory().stream().map(EpochStats::withoutTiming).toList();
        if (h1.isEmpty() || !h1.equals(h2)) {
            differences.add("the per-epoch history (" + RunFolder.HISTORY + ") differs");
        }
        EvaluationReport m1 = original.hasMetrics() ? original.readMetrics() : null;
        EvaluationReport m2 = rerun.hasMetrics() ? rerun.readMetrics() : null;
        if (m1 == null || m2 == null
                || !Json.mapper().valueToTree(m1.toJson()).equals(Json.mapper().valueToTree(m2.toJson()))) {
            differences.add(String.format(Locale.ROOT, "the metrics differ: accuracy %s vs %s, macro F1 %s vs %s",
                    m1 == null ? "?" : m1.accuracy(), m2 == null ? "?" : m2.accuracy(),
                    m1 == null ? "?" : m1.macroF1(), m2 == null ? "?" : m2.macroF1()));
        }
        return new RerunComparison(original.dir(), rerun.dir(), List.copyOf(differences),
                m2 == null ? Double.NaN : m2.accuracy(), m2 == null ? Double.NaN : m2.macroF1());
    }

    boolean identical() {
        return differences.isEmpty();
    }

    String message() {
        if (identical()) {
            return String.format(Locale.ROOT, "Rerun reproduces %s: the same split, history and metrics "
                    + "(accuracy %.4f, macro F1 %.4f).", original, accuracy, macroF1);
        }
        return "Rerun differs from " + original + ": " + String.join("; ", differences)
                + ". Different software versions (graft-model.json lists them), thread counts or hardware can "
                + "change the last digits.";
    }

    private static boolean sameBytes(Path a, Path b) throws IOException {
        return Files.isRegularFile(a) && Files.isRegularFile(b) && Files.mismatch(a, b) == -1;
    }
}
