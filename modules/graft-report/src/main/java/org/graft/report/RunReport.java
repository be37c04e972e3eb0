package org.graft.report;

import org.graft.common.BadOptionException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.graft.common.AtomicFiles;
import org.graft.common.GraftException;
import org.graft.common.Json;
import org.graft.data.SkipLog;
import org.graft.data.Split;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The run report: one self-contained HTML file ({@value #FILE_NAME}) that opens from disk without a network —
 * data summary, training curves, confusion matrix, per-class metrics, a gallery of misclassified and least
 * confident validation images, and the model card. Built from what the run folder already holds, so
 * {@code graft report RUN} can rebuild it at any time.
 */
public final class RunReport {
    public static final String FILE_NAME = "report.html";
    /** The files the training job writes (kept here too, as the report module does not depend on training). */
    static final String NEAR_DUPLICATES_FILE = "near-duplicates.csv";
    static final String AUGMENTATION_DIR = "augmentation";

    private final Path runDir;
    private final ModelDescription description;
    private final Map<String, Object> metrics;
    private final List<Map<String, Object>> history;

    private RunReport(Path runDir) throws IOException {
        this.runDir = runDir;
        this.description = ModelBundle.readDescription(runDir);
        ObjectMapper mapper = Json.mapper();
        Path metricsFile = runDir.resolve("metrics.json");
        Path historyFile = runDir.resolve("history.json");
        if (!Files.isRegularFile(metricsFile)) {
            throw new BadOptionException(runDir + " has no metrics.json.", "Run 'graft evaluate --model " + runDir
                    + "' first, or train again.");
        }
        this.metrics = mapper.readValue(metricsFile.toFile(), new TypeReference<>() { });
        this.history = Files.isRegularFile(historyFile)
                ? mapper.readValue(historyFile.toFile(), new TypeReference<>() { }) : List.of();
    }

    /** Writes {@code RUN/report.html} and returns its path. */
    public static Path write(Path runDir) throws IOException {
        RunReport report = new RunReport(runDir);
        Path file = runDir.resolve(FILE_NAME);
        AtomicFiles.write(file, report.html().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    String html() throws IOException {
        StringBuilder h = new StringBuilder();
        String title = "Graft run " + runDir.toAbsolutePath().getFileName();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append(String.format(Locale.ROOT, "<p class=\"summary\">Validation accuracy <b>%.4f</b>, macro F1 "
                        + "<b>%.4f</b> on %d images &middot; %s, %s mode &middot; %s</p>%n",
                num(metrics.get("accuracy")), num(metrics.get("macroF1")), ((Number) metrics.get("count")).intValue(),
                esc(description.backbone().name()), esc(description.training().mode()),
                esc(description.createdAt())));
        dataSection(h);
        curvesSection(h);
        confusionSection(h);
        perClassSection(h);
        gallerySection(h);
        augmentationSection(h);
        modelCard(h);
        // lets a browser test (and a curious user) see that every embedded image decoded
        h.append("<script>window.addEventListener('load',function(){var i=[].slice.call(document.images);"
                + "document.body.dataset.imagesTotal=i.length;document.body.dataset.imagesLoaded="
                + "i.filter(function(x){return x.complete&&x.naturalWidth>0}).length;});</script>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private void dataSection(StringBuilder h) throws IOException {
        h.append("<section id=\"data\"><h2>Data</h2>\n");
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        Path manifest = runDir.resolve(Split.MANIFEST_NAME);
        if (Files.isRegularFile(manifest)) {
            for (CSVRecord r : csv(manifest)) {
                counts.computeIfAbsent(r.get("label"), k -> new TreeMap<>()).merge(r.get("subset"), 1, Integer::sum);
            }
        }
        h.append("<table><tr><th>class</th><th>training</th><th>validation</th></tr>\n");
        int train = 0;
        int val = 0;
        for (String label : description.labels()) {
            Map<String, Integer> c = counts.getOrDefault(label, Map.of());
            int t = c.getOrDefault("train", 0);
            int v = c.getOrDefault("val", 0);
            train += t;
            val += v;
            h.append("<tr><td>").append(esc(label)).append("</td><td>").append(t).append("</td><td>").append(v)
                    .append("</td></tr>\n");
        }
        h.append("<tr class=\"total\"><td>all</td><td>").append(train).append("</td><td>").append(val)
                .append("</td></tr></table>\n");
        h.append("<p>Training folder <code>").append(esc(description.data().trainFolder()))
                .append("</code>, validation folder <code>").append(esc(description.data().validationFolder()))
                .append("</code>; split manifest <code>split.csv</code>")
                .append(description.data().grouping() == null || "none".equals(description.data().grouping()) ? ""
                        : "; images grouped by " + esc(description.data().grouping())
                        + ", each group wholly on one side of the split")
                .append(".</p>\n");
        nearDuplicates(h);
        Path skipped = runDir.resolve(SkipLog.FILE_NAME);
        List<CSVRecord> skips = Files.isRegularFile(skipped) ? csv(skipped) : List.of();
        h.append("<h3>Skipped files (").append(skips.size()).append(")</h3>\n");
        if (skips.isEmpty()) {
            h.append("<p>Every file was readable.</p>\n");
        } else {
            h.append("<table id=\"skipped\"><tr><th>file</th><th>reason</th></tr>\n");
            for (CSVRecord r : skips) {
                h.append("<tr><td>").append(fileLink(r.get("path"))).append("</td><td>").append(esc(r.get("reason")))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</section>\n");
    }

    private void curvesSection(StringBuilder h) {
        h.append("<section id=\"curves\"><h2>Training curves</h2>\n");
        if (history.isEmpty()) {
            h.append("<p>No history.json in this run.</p></section>\n");
            return;
        }
        List<Integer> epochs = new ArrayList<>();
        double[][] s = new double[4][history.size()];
        for (int i = 0; i < history.size(); i++) {
            Map<String, Object> e = history.get(i);
            epochs.add(((Number) e.get("epoch")).intValue());
            s[0][i] = num(e.get("trainLoss"));
            s[1][i] = num(e.get("validationLoss"));
            s[2][i] = num(e.get("trainAccuracy"));
            s[3][i] = num(e.get("validationAccuracy"));
        }
        h.append("<img alt=\"loss per epoch\" src=\"").append(Charts.curves("Loss", "cross-entropy", epochs,
                new String[]{"training", "validation"}, List.of(s[0], s[1]))).append("\">\n");
        h.append("<img alt=\"accuracy per epoch\" src=\"").append(Charts.curves("Accuracy", "accuracy", epochs,
                new String[]{"training", "validation"}, List.of(s[2], s[3]))).append("\">\n");
        h.append("<p>Best epoch: ").append(description.training().bestEpoch())
                .append(" (its weights are the saved model).</p></section>\n");
    }

    @SuppressWarnings("unchecked")
    private void confusionSection(StringBuilder h) {
        Map<String, Object> cm = (Map<String, Object>) metrics.get("confusionMatrix");
        List<String> labels = (List<String>) cm.get("labels");
        List<List<Number>> rows = (List<List<Number>>) cm.get("matrix");
        long[][] matrix = new long[labels.size()][labels.size()];
        for (int t = 0; t < labels.size(); t++) {
            for (int p = 0; p < labels.size(); p++) {
                matrix[t][p] = rows.get(t).get(p).longValue();
            }
        }
        h.append("<section id=\"confusion\"><h2>Confusion matrix</h2>\n");
        h.append("<img alt=\"confusion matrix heat map\" src=\"").append(Charts.confusion(labels, matrix))
                .append("\">\n");
        h.append("<table id=\"confusion-matrix\"><tr><th>true \\ predicted</th>");
        labels.forEach(l -> h.append("<th>").append(esc(l)).append("</th>"));
        h.append("</tr>\n");
        for (int t = 0; t < labels.size(); t++) {
            h.append("<tr><th>").append(esc(labels.get(t))).append("</th>");
            for (int p = 0; p < labels.size(); p++) {
                h.append("<td class=\"").append(t == p ? "hit" : matrix[t][p] > 0 ? "miss" : "")
                        .append("\" data-true=\"").append(esc(labels.get(t))).append("\" data-predicted=\"")
                        .append(esc(labels.get(p))).append("\">").append(matrix[t][p]).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></section>\n");
    }

    @SuppressWarnings("unchecked")
    private void perClassSection(StringBuilder h) {
        Map<String, Map<String, Object>> per = (Map<String, Map<String, Object>>) metrics.get("perClass");
        h.append("<section id=\"per-class\"><h2>Per class</h2>\n<table><tr><th>class</th><th>precision</th>"
                + "<th>recall</th><th>F1</th><th>support</th></tr>\n");
        per.forEach((label, m) -> h.append(String.format(Locale.ROOT,
                "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>%n", esc(label),
                num(m.get("precision")), num(m.get("recall")), num(m.get("f1")),
                ((Number) m.get("support")).intValue())));
        h.append(String.format(Locale.ROOT, "<tr class=\"total\"><td>macro average</td><td></td><td></td>"
                + "<td>%.4f</td><td></td></tr>%n</table></section>%n", num(metrics.get("macroF1"))));
    }

    @SuppressWarnings("unchecked")
    /** Validation images that look like training images make the validation figures too good. */
    private void nearDuplicates(StringBuilder h) throws IOException {
        Path file = runDir.resolve(NEAR_DUPLICATES_FILE);
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<CSVRecord> pairs = csv(file);
        h.append("<h3 id=\"near-duplicates\">Near-duplicates across the split (").append(pairs.size())
                .append(")</h3>\n<p class=\"warning\">These validation images look almost the same as training "
                        + "images (perceptual hash), so the validation figures may be better than the model is. "
                        + "Keep related images together with <code>--group-by</code>.</p>\n")
                .append("<table><tr><th>validation</th><th>training</th><th>distance</th></tr>\n");
        for (CSVRecord r : pairs.subList(0, Math.min(20, pairs.size()))) {
            h.append("<tr><td>").append(fileLink(r.get("validation"))).append("</td><td>")
                    .append(fileLink(r.get("training"))).append("</td><td>").append(esc(r.get("distance")))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    /** Samples of the augmented training images, so a user sees what the network was shown. */
    private void augmentationSection(StringBuilder h) throws IOException {
        Path dir = runDir.resolve(AUGMENTATION_DIR);
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> samples;
        try (var files = Files.list(dir)) {
            samples = files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList();
        }
        Object spec = description.training().recipe() == null ? null
                : description.training().recipe().get("augmentation");
        h.append("<section id=\"augmentation\"><h2>Augmentation</h2>\n<p>Training images were varied each epoch (")
                .append(esc(String.valueOf(spec))).append("). The first image of each row is the image as "
                        + "validation sees it; the others are random variants.</p>\n<div class=\"gallery\">\n");
        for (Path sample : samples) {
            String src = Thumbnails.of(sample).orElse(null);
            if (src != null) {
                h.append("<figure><img src=\"").append(src).append("\" alt=\"").append(esc(sample.getFileName()
                        .toString())).append("\"><figcaption><small>").append(esc(sample.getFileName().toString()))
                        .append("</small></figcaption></figure>\n");
            }
        }
        h.append("</div></section>\n");
    }

    private void gallerySection(StringBuilder h) {
        h.append("<section id=\"gallery\"><h2>Validation images to look at</h2>\n");
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        groups.put("Misclassified", (List<Map<String, Object>>) metrics.getOrDefault("misclassified", List.of()));
        groups.put("Least confident", (List<Map<String, Object>>) metrics.getOrDefault("leastConfident", List.of()));
        for (var g : groups.entrySet()) {
            h.append("<h3>").append(g.getKey()).append(" (").append(g.getValue().size()).append(")</h3>\n");
            h.append("<div class=\"gallery\">\n");
            for (Map<String, Object> item : g.getValue().subList(0, Math.min(48, g.getValue().size()))) {
                String path = String.valueOf(item.get("path"));
                String truth = String.valueOf(item.get("trueLabel"));
                String predicted = String.valueOf(item.get("predictedLabel"));
                h.append("<figure class=\"").append(truth.equals(predicted) ? "right" : "wrong").append("\">");
                String src = Thumbnails.of(Path.of(path)).orElse(null);
                h.append("<a href=\"").append(esc(Path.of(path).toUri().toString())).append("\">");
                if (src != null) {
                    h.append("<img src=\"").append(src).append("\" alt=\"").append(esc(path)).append("\">");
                } else {
                    h.append("<span class=\"noimg\">no preview</span>");
                }
                h.append("</a><figcaption>true <b>").append(esc(truth)).append("</b>, predicted <b>")
                        .append(esc(predicted)).append(String.format(Locale.ROOT, "</b> (%.2f)<br><small>",
                                num(item.get("predictedProbability"))))
                        .append(esc(Path.of(path).getFileName().toString())).append("</small></figcaption></figure>\n");
            }
            h.append("</div>\n");
        }
        h.append("</section>\n");
    }

    private void modelCard(StringBuilder h) {
        ModelDescription d = description;
        Map<String, String> card = new LinkedHashMap<>();
        card.put("classes", String.join(", ", d.labels()));
        card.put("backbone", d.backbone().name() + " (" + d.backbone().sourceFile() + ")");
        card.put("weights sha256", d.backbone().sha256());
        card.put("licence", d.backbone().license());
        card.put("feature layer", d.backbone().featureLayer());
        card.put("preprocessing", d.preprocessing().toString());
        card.put("mode", d.training().mode());
        card.put("hyper-parameters", String.format(Locale.ROOT,
                "%d epochs (best %d), batch %d, %s lr %s, dropout %s", d.training().epochs(),
                d.training().bestEpoch(), d.training().batchSize(), d.training().optimizer(),
                d.training().learningRate(), d.training().dropout()));
        card.put("seed", String.valueOf(d.training().seed()));
        if (d.training().recipe() != null) {
            card.put("recipe", new TreeMap<>(d.training().recipe()).toString());
        }
        card.put("split manifest sha256", d.data().splitManifestSha256());
        card.put("training images", d.data().trainImages() + " " + d.data().trainCounts());
        card.put("validation images", String.valueOf(d.data().validationImages()));
        card.put("versions", new TreeMap<>(d.versions()).toString());
        card.put("created", d.createdAt());
        h.append("<section id=\"model-card\"><h2>Model card</h2>\n<table>\n");
        card.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v))
                .append("</td></tr>\n"));
        h.append("</table></section>\n");
    }

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
    }

    private static String fileLink(String path) {
        return "<a href=\"" + esc(Path.of(path).toUri().toString()) + "\">" + esc(path) + "</a>";
    }

    /** Numbers from JSON, where Jackson writes NaN as the string "NaN". */
    static double num(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return o == null ? Double.NaN : Double.parseDouble(o.toString());
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
            h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
            th{background:#f4f4f4}tr.total td{font-weight:bold}td.hit{background:#dbeedd}td.miss{background:#f8d7d7}
            .summary{font-size:1.1em}.warning{color:#8a4b00}code{background:#f4f4f4;padding:0 .2em}
            .gallery{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;width:170px;font-size:.85em}
            figure img{max-width:160px;max-height:160px;border:3px solid #ccc}figure.wrong img{border-color:#d9534f}
            figure.right img{border-color:#5cb85c}.noimg{display:inline-block;width:160px;height:100px;background:#eee}
            """;

    /** For tests: the set of section ids the report always has. */
    static final java.util.Set<String> SECTIONS = new TreeSet<>(List.of("data", "curves", "confusion",
            "per-class", "gallery", "model-card"));
}
