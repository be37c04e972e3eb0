package org.graft.report;

import org.graft.model.EvaluationReport;

import java.util.List;

/**
 * The confusion matrix, as a heat map and as a table whose cells carry their classes (tests read them); for many
 * classes, the largest confusions instead.
 */
final class ConfusionSection implements ReportSection {
    @Override
    public String id() {
        return "confusion";
    }

    /** Beyond this many classes a matrix is unreadable (and its heat map enormous): the largest confusions instead. */
    static final int MATRIX_CLASSES = 30;
    private static final int CONFUSIONS = 50;

    @Override
    public void write(Html h, RunContents run) {
        EvaluationReport m = run.metrics();
        List<String> labels = m.labels();
        h.raw("<section id=\"confusion\"><h2>Confusion matrix</h2>\n");
        if (labels.size() > MATRIX_CLASSES) {
            largestConfusions(h, m);
        } else {
            matrix(h, labels, m.confusionMatrix());
        }
        h.raw("</section>\n");
    }

    private static void matrix(Html h, List<String> labels, long[][] matrix) {
        h.raw("<img alt=\"confusion matrix heat map\" src=\"").raw(Charts.confusion(labels, matrix)).raw("\">\n");
        h.raw("<table id=\"confusion-matrix\"><tr><th>true \\ predicted</th>");
        labels.forEach(l -> h.raw("<th>").text(l).raw("</th>"));
        h.raw("</tr>\n");
        for (int t = 0; t < labels.size(); t++) {
            h.raw("<tr><th>").text(labels.get(t)).raw("</th>");
            for (int p = 0; p < labels.size(); p++) {
                h.raw("<td class=\"").raw(t == p ? "hit" : matrix[t][p] > 0 ? "miss" : "").raw("\" data-true=\"")
                        .text(labels.get(t)).raw("\" data-predicted=\"").text(labels.get(p)).raw("\">")
                        .format("%d</td>", matrix[t][p]);
            }
            h.raw("</tr>\n");
        }
        h.raw("</table>\n");
    }

    private static void largestConfusions(Html h, EvaluationReport m) {
        List<EvaluationReport.Confusion> top = m.topConfusions(CONFUSIONS);
        h.format("<p>%d classes are too many for a readable matrix (it is in <code>metrics.json</code>): these are "
                + "the %d largest confusions.</p>%n", m.labels().size(), top.size());
        h.raw("<table id=\"top-confusions\"><tr><th>true class</th><th>taken for</th><th>images</th></tr>\n");
        for (EvaluationReport.Confusion c : top) {
            h.raw("<tr><td>").text(c.trueLabel()).raw("</td><td>").text(c.predictedLabel())
                    .format("</td><td>%d</td></tr>%n", c.count());
        }
        h.raw("</table>\n");
    }
}
