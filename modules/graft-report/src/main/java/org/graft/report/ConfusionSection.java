package org.graft.report;

import org.graft.model.EvaluationReport;

import java.util.List;

/** The confusion matrix, as a heat map and as a table whose cells carry their classes (tests read them). */
final class ConfusionSection implements ReportSection {
    @Override
    public String id() {
        return "confusion";
    }

    @Override
    public void write(Html h, RunContents run) {
        EvaluationReport m = run.metrics();
        List<String> labels = m.labels();
        long[][] matrix = m.confusionMatrix();
        h.raw("<section id=\"confusion\"><h2>Confusion matrix</h2>\n");
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
        h.raw("</table></section>\n");
    }
}
