package org.graft.report;

import org.graft.model.run.RunFolder;

import java.util.List;

/** The run's model evaluated on other data ({@code graft evaluate --data}), beside its own validation figures. */
final class EvaluationsSection implements ReportSection {
    @Override
    public String id() {
        return "evaluations";
    }

    @Override
    public boolean appliesTo(RunContents run) {
        return !run.evaluations().isEmpty();
    }

    @Override
    public void write(Html h, RunContents run) {
        List<RunFolder.Evaluation> all = run.evaluations();
        h.raw("<section id=\"evaluations\"><h2>Evaluations on other data</h2>\n<p>The figures above are on the "
                + "run's own validation split; these are the same model on other folders.</p>\n")
                .raw("<table><tr><th>data</th><th>images</th><th>accuracy</th><th>macro F1</th><th>evaluated</th>"
                        + "</tr>\n");
        for (RunFolder.Evaluation e : all) {
            h.raw("<tr><td>").fileLink(e.data()).format("</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>",
                    e.report().count(), e.report().accuracy(), e.report().macroF1()).text(e.evaluatedAt())
                    .raw("</td></tr>\n");
        }
        h.raw("</table></section>\n");
    }
}
