package org.graft.report;

import org.graft.model.EvaluationReport;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The validation images to look at: the misclassified ones and those the model was least sure about. */
final class GallerySection implements ReportSection {
    /** Enough to look through; the full lists are in metrics.json. */
    private static final int SHOWN = 48;

    @Override
    public String id() {
        return "gallery";
    }

    @Override
    public void write(Html h, RunContents run) {
        h.raw("<section id=\"gallery\"><h2>Validation images to look at</h2>\n");
        Map<String, List<EvaluationReport.Misclassified>> groups = new LinkedHashMap<>();
        groups.put("Misclassified", run.metrics().misclassified());
        groups.put("Least confident", run.metrics().leastConfident());
        for (var g : groups.entrySet()) {
            h.format("<h3>%s (%d)</h3>%n", g.getKey(), g.getValue().size()).raw("<div class=\"gallery\">\n");
            for (EvaluationReport.Misclassified item : g.getValue().subList(0, Math.min(SHOWN, g.getValue().size()))) {
                figure(h, item);
            }
            h.raw("</div>\n");
        }
        h.raw("</section>\n");
    }

    private static void figure(Html h, EvaluationReport.Misclassified item) {
        Path path = Path.of(item.path());
        String src = Thumbnails.of(path).orElse(null);
        h.raw("<figure class=\"").raw(item.trueLabel().equals(item.predictedLabel()) ? "right" : "wrong").raw("\">");
        h.raw("<a href=\"").text(path.toUri().toString()).raw("\">");
        if (src != null) {
            h.raw("<img src=\"").raw(src).raw("\" alt=\"").text(item.path()).raw("\">");
        } else {
            h.raw("<span class=\"noimg\">no preview</span>");
        }
        h.raw("</a><figcaption>true <b>").text(item.trueLabel()).raw("</b>, predicted <b>")
                .text(item.predictedLabel()).format("</b> (%.2f)<br><small>", item.predictedProbability())
                .text(path.getFileName().toString()).raw("</small></figcaption></figure>\n");
    }
}
