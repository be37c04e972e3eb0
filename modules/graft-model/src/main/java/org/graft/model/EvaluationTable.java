package org.graft.model;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * An evaluation as a terminal shows it: the overall figures, per-class metrics and the confusion matrix, bounded
 * so that a thousand classes give a screenful, not megabytes (the whole report is in metrics.json and
 * report.html): beyond {@value #CLASS_ROWS} classes only the weakest are listed, and beyond {@value #MATRIX_CLASSES}
 * the matrix becomes its largest confusions.
 */
final class EvaluationTable {
    static final int CLASS_ROWS = 20;
    static final int MATRIX_CLASSES = 12;
    private static final int CONFUSIONS = 15;
    private static final int LABEL_WIDTH = 40;

    private EvaluationTable() {
    }

    static String of(EvaluationReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Images: %d   Accuracy: %.4f   Macro F1: %.4f%n%n", r.count(),
                r.accuracy(), r.macroF1()));
        List<String> labels = r.labels();
        int w = Math.max(8, labels.stream().mapToInt(l -> cut(l).length()).max().orElse(8));
        List<EvaluationReport.ClassMetrics> rows = r.perClass();
        if (rows.size() > CLASS_ROWS) {
            sb.append(String.format(Locale.ROOT, "The %d classes (of %d) with the lowest F1:%n", CLASS_ROWS,
                    rows.size()));
            rows = rows.stream().sorted(Comparator.comparingDouble(EvaluationReport.ClassMetrics::f1)
                    .thenComparing(EvaluationReport.ClassMetrics::label)).limit(CLASS_ROWS).toList();
        }
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %9s  %9s  %9s  %7s%n", "class", "precision", "recall",
                "F1", "support"));
        for (EvaluationReport.ClassMetrics c : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  %9.4f  %9.4f  %9.4f  %7d%n", cut(c.label()),
                    c.precision(), c.recall(), c.f1(), c.support()));
        }
        if (labels.size() <= MATRIX_CLASSES) {
            matrix(sb, labels, r.confusionMatrix(), w);
        } else {
            confusions(sb, r.topConfusions(CONFUSIONS));
        }
        if (!r.misclassified().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nMisclassified: %d (listed in metrics.json)%n",
                    r.misclassified().size()));
            r.misclassified().stream().limit(10).forEach(m -> sb.append(String.format(Locale.ROOT,
                    "  %s: %s -> %s (%.2f)%n", m.path(), cut(m.trueLabel()), cut(m.predictedLabel()),
                    m.predictedProbability())));
        }
        return sb.toString();
    }

    private static void matrix(StringBuilder sb, List<String> labels, long[][] matrix, int w) {
        sb.append(String.format(Locale.ROOT, "%nConfusion matrix (rows: true class, columns: predicted)%n"));
        int cw = Math.max(6, w);
        sb.append(String.format(Locale.ROOT, "%-" + w + "s", ""));
        for (String l : labels) {
            sb.append(String.format(Locale.ROOT, "  %" + cw + "s", cut(l)));
        }
        sb.append(System.lineSeparator());
        for (int i = 0; i < labels.size(); i++) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", cut(labels.get(i))));
            for (int j = 0; j < labels.size(); j++) {
                sb.append(String.format(Locale.ROOT, "  %" + cw + "d", matrix[i][j]));
            }
            sb.append(System.lineSeparator());
        }
    }

    private static void confusions(StringBuilder sb, List<EvaluationReport.Confusion> top) {
        sb.append(String.format(Locale.ROOT, "%nLargest confusions (true class -> predicted, images; the whole "
                + "matrix is in metrics.json and report.html)%n"));
        if (top.isEmpty()) {
            sb.append("  none: every image was classified right").append(System.lineSeparator());
        }
        for (EvaluationReport.Confusion c : top) {
            sb.append(String.format(Locale.ROOT, "  %s -> %s: %d%n", cut(c.trueLabel()), cut(c.predictedLabel()),
                    c.count()));
        }
    }

    /** A label short enough for a table column. */
    private static String cut(String label) {
        return label.length() <= LABEL_WIDTH ? label : label.substring(0, LABEL_WIDTH - 1) + "…";
    }
}
