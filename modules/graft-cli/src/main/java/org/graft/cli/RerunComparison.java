package org.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.graft.common.Json;
import org.graft.data.Split;

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

    static RerunComparison compare(Path original, Path rerun) throws IOException {
        List<String> differences = new ArrayList<>();
        if (!sameBytes(original.resolve(Split.MANIFEST_NAME), rerun.resolve(Split.MANIFEST_NAME))) {
            differences.add("the split (split.csv) differs: the data folder has changed since the first run");
        }
        JsonNode h1 = withoutTimings(read(original.resolve("history.json")));
        JsonNode h2 = withoutTimings(read(rerun.resolve("history.json")));
        if (h1 == null || !h1.equals(h2)) {
            differences.add("the per-epoch history (history.json) differs");
        }
        JsonNode m1 = read(original.resolve("metrics.json"));
        JsonNode m2 = read(rerun.resolve("metrics.json"));
        if (m1 == null || !m1.equals(m2)) {
            differences.add(String.format(Locale.ROOT, "the metrics differ: accuracy %s vs %s, macro F1 %s vs %s",
                    at(m1, "accuracy"), at(m2, "accuracy"), at(m1, "macroF1"), at(m2, "macroF1")));
        }
        return new RerunComparison(original, rerun, List.copyOf(differences),
                m2 == null ? Double.NaN : m2.path("accuracy").asDouble(Double.NaN),
                m2 == null ? Double.NaN : m2.path("macroF1").asDouble(Double.NaN));
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

    private static JsonNode read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Json.mapper().readTree(file.toFile()) : null;
    }

    private static JsonNode withoutTimings(JsonNode history) {
        if (history == null) {
            return null;
        }
        JsonNode copy = history.deepCopy();
        copy.forEach(epoch -> ((ObjectNode) epoch).remove("seconds"));
        return copy;
    }

    private static String at(JsonNode node, String field) {
        return node == null ? "?" : node.path(field).asText("?");
    }

    private static boolean sameBytes(Path a, Path b) throws IOException {
        return Files.isRegularFile(a) && Files.isRegularFile(b) && Files.mismatch(a, b) == -1;
    }
}
