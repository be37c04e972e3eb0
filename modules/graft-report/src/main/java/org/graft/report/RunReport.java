package org.graft.report;

import org.graft.common.AtomicFiles;
import org.graft.model.EvaluationReport;
import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The run report: one self-contained HTML file ({@value #FILE_NAME}) that opens from disk without a network, made
 * of {@link ReportSection}s in order — data, training curves, confusion matrix, per-class metrics, a gallery of
 * misclassified and least confident validation images, augmentation samples, and the model card. Built from what
 * the run folder already holds ({@link RunContents}), so {@code graft report RUN} can rebuild it at any time.
 */
public final class RunReport {
    public static final String FILE_NAME = RunFolder.REPORT;
    /** The sections, in the order they appear. */
    private static final List<ReportSection> SECTION_ORDER = List.of(new DataSection(), new CurvesSection(),
            new ConfusionSection(), new PerClassSection(), new EvaluationsSection(), new GallerySection(),
            new AugmentationSection(), new ModelCardSection());
    /** For tests: the ids of the sections every report has. */
    static final Set<String> SECTIONS = Set.of("data", "curves", "confusion", "per-class", "gallery", "model-card");

    private RunReport() {
    }

    /** Writes {@code RUN/report.html} and returns its path. */
    public static Path write(Path runDir) throws IOException {
        RunFolder run = RunFolder.at(runDir);
        String html = html(RunContents.read(run));
        Path file = run.file(FILE_NAME);
        AtomicFiles.write(file, html.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    static String html(RunContents run) {
        Html h = new Html();
        String title = "Graft run " + run.folder().dir().getFileName();
        EvaluationReport m = run.metrics();
        h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").text(title)
                .raw("</title>\n<style>").raw(CSS).raw("</style></head><body>\n");
        h.raw("<h1>").text(title).raw("</h1>\n");
        h.format("<p class=\"summary\">Validation accuracy <b>%.4f</b>, macro F1 <b>%.4f</b> on %d images &middot; ",
                m.accuracy(), m.macroF1(), m.count()).text(run.description().backbone().name()).raw(", ")
                .text(run.description().training().mode()).raw(" mode &middot; ").text(run.description().createdAt())
                .raw("</p>\n");
        for (ReportSection section : SECTION_ORDER) {
            if (section.appliesTo(run)) {
                section.write(h, run);
            }
        }
        // lets a browser test (and a curious user) see that every embedded image decoded
        h.raw("<script>window.addEventListener('load',function(){var i=[].slice.call(document.images);"
                + "document.body.dataset.imagesTotal=i.length;document.body.dataset.imagesLoaded="
                + "i.filter(function(x){return x.complete&&x.naturalWidth>0}).length;});</script>\n");
        h.raw("</body></html>\n");
        return h.toString();
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
}
