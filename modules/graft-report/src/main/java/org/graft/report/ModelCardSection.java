package org.graft.report;

import org.graft.model.ModelDescription;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The model card: what the model is, what it grew from, how it was trained, and with which software. */
final class ModelCardSection implements ReportSection {
    @Override
    public String id() {
        return "model-card";
    }

    @Override
    public void write(Html h, RunContents run) {
        ModelDescription d = run.description();
        Map<String, String> card = new LinkedHashMap<>();
        card.put("classes", String.join(", ", d.labels()));
        card.put("backbone", d.backbone().name() + " (" + d.backbone().sourceFile() + ")");
        card.put("weights sha256", d.backbone().sha256());
        card.put("licence", d.backbone().license());
        card.put("feature layer", d.backbone().featureLayer());
        card.put("preprocessing", d.preprocessing().toString());
        card.put("mode", d.training().mode());
        card.put("hyper-parameters", String.format(Locale.ROOT, "%d epochs (best %d), batch %d, %s lr %s, dropout %s",
                d.training().epochs(), d.training().bestEpoch(), d.training().batchSize(), d.training().optimizer(),
                d.training().learningRate(), d.training().dropout()));
        card.put("seed", String.valueOf(d.training().seed()));
        if (d.training().recipe() != null) {
            card.put("recipe", new TreeMap<>(d.training().recipe()).toString());
        }
        card.put("split manifest sha256", d.data().splitManifestSha256());
        card.put("training images", d.data().trainImages() + " " + d.data().trainCounts());
        card.put("validation images", String.valueOf(d.data().validationImages()));
        card.put("versions", new TreeMap<>(d.versions() == null ? Map.of() : d.versions()).toString());
        card.put("created", d.createdAt());
        h.raw("<section id=\"model-card\"><h2>Model card</h2>\n<table>\n");
        card.forEach((k, v) -> h.raw("<tr><th>").text(k).raw("</th><td>").text(v).raw("</td></tr>\n"));
        h.raw("</table></section>\n");
    }
}
