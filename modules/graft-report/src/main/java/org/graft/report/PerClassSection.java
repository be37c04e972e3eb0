package org.graft.report;

import org.graft.model.EvaluationReport;

/** Precision, recall, F1 and support of each class, and the macro average. */
final class PerClassSection implements ReportSection {
    @Override
    public String id() {
        return "per-class";
    }

    @Override
    public void write(Html h, RunContents run) {
        EvaluationReport m = run.metrics();
        h.raw("<section id=\"per-class\"><h2>Per class</h2>\n<table><tr><th>class</th><th>precision</th>"
                + "<th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (EvaluationReport.ClassMetrics c : m.perClass()) {
            h.raw("<tr><td>").text(c.label()).format("</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>%n",
                    c.precision(), c.recall(), c.f1(), c.support());
        }
        h.format("<tr class=\"total\"><td>macro average</td><td></td><td></td><td>%.4f</td><td></td></tr>%n"
                + "</table></section>%n", m.macroF1());
    }
}
