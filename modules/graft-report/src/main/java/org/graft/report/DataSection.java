package org.graft.report;

import org.graft.data.ImageEntry;
import org.graft.data.ImageFolder;
import org.graft.data.NearDuplicates;
import org.graft.data.SkippedImage;
import org.graft.model.ModelDescription;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The data: images per class on each side of the split, how they were grouped, near-duplicates, skipped files. */
final class DataSection implements ReportSection {
    @Override
    public String id() {
        return "data";
    }

    @Override
    public void write(Html h, RunContents run) {
        ModelDescription d = run.description();
        h.raw("<section id=\"data\"><h2>Data</h2>\n");
        Map<String, Integer> train = run.split() == null ? Map.of() : counts(run.split().train());
        Map<String, Integer> val = run.split() == null ? Map.of() : counts(run.split().validation());
        h.raw("<table><tr><th>class</th><th>training</th><th>validation</th></tr>\n");
        int trainTotal = 0;
        int valTotal = 0;
        for (String label : d.labels()) {
            int t = train.getOrDefault(label, 0);
            int v = val.getOrDefault(label, 0);
            trainTotal += t;
            valTotal += v;
            h.raw("<tr><td>").text(label).format("</td><td>%d</td><td>%d</td></tr>%n", t, v);
        }
        h.format("<tr class=\"total\"><td>all</td><td>%d</td><td>%d</td></tr></table>%n", trainTotal, valTotal);
        h.raw("<p>Training folder <code>").text(d.data().trainFolder()).raw("</code>, validation folder <code>")
                .text(d.data().validationFolder()).raw("</code>; split manifest <code>split.csv</code>");
        if (d.data().grouping() != null && !"none".equals(d.data().grouping())) {
            h.raw("; images grouped by ").text(d.data().grouping())
                    .raw(", each group wholly on one side of the split");
        }
        h.raw(".</p>\n");
        nearDuplicates(h, run.nearDuplicates());
        skipped(h, run.skipped());
        h.raw("</section>\n");
    }

    private static Map<String, Integer> counts(ImageFolder folder) {
        Map<String, Integer> counts = new TreeMap<>();
        for (ImageEntry e : folder.images()) {
            counts.merge(e.label(), 1, Integer::sum);
        }
        return counts;
    }

    /** Validation images that look like training images make the validation figures too good. */
    private static void nearDuplicates(Html h, List<NearDuplicates.Pair> pairs) {
        if (pairs.isEmpty()) {
            return;
        }
        h.format("<h3 id=\"near-duplicates\">Near-duplicates across the split (%d)</h3>%n", pairs.size())
                .raw("<p class=\"warning\">These validation images look almost the same as training images "
                        + "(perceptual hash), so the validation figures may be better than the model is. Keep "
                        + "related images together with <code>--group-by</code>.</p>\n")
                .raw("<table><tr><th>validation</th><th>training</th><th>distance</th></tr>\n");
        for (NearDuplicates.Pair p : pairs.subList(0, Math.min(20, pairs.size()))) {
            h.raw("<tr><td>").fileLink(p.validation().toString()).raw("</td><td>").fileLink(p.training().toString())
                    .format("</td><td>%d</td></tr>%n", p.distance());
        }
        h.raw("</table>\n");
    }

    private static void skipped(Html h, List<SkippedImage> skips) {
        h.format("<h3>Skipped files (%d)</h3>%n", skips.size());
        if (skips.isEmpty()) {
            h.raw("<p>Every file was readable.</p>\n");
            return;
        }
        h.raw("<table id=\"skipped\"><tr><th>file</th><th>reason</th></tr>\n");
        for (SkippedImage s : skips) {
            h.raw("<tr><td>").fileLink(s.path().toString()).raw("</td><td>").text(s.reason()).raw("</td></tr>\n");
        }
        h.raw("</table>\n");
    }
}
