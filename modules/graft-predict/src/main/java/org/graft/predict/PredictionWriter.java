package org.graft.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.graft.common.AtomicFiles;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes predictions as CSV ({@code path,label,probability,margin,needs_review,label_2,probability_2,...,error})
 * or JSON Lines, one image per row. Paths are relative to the input folder, so its sub-folders are mirrored.
 *
 * <p>Builder: {@code optTopK} (default 3), {@code optReviewBelow} (flag images whose best probability is lower;
 * default 0.5), {@code optBase} (the input folder), {@code optFormat}.
 */
public final class PredictionWriter {
    /** Output formats. */
    public enum Format { CSV, JSONL }

    private final int topK;
    private final double reviewBelow;
    private final Path base;
    private final Format format;

    private PredictionWriter(Builder b) {
        this.topK = b.topK;
        this.reviewBelow = b.reviewBelow;
        this.base = b.base;
        this.format = b.format;
    }

    public static Builder builder() {
        return new Builder();
    }

    public void write(List<Prediction> predictions, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            if (format == Format.JSONL) {
                writeJsonLines(predictions, w);
            } else {
                writeCsv(predictions, w);
            }
            w.flush();
        });
    }

    private String pathOf(Prediction p) {
        Path path = p.path();
        if (base != null && path.toAbsolutePath().startsWith(base.toAbsolutePath())) {
            path = base.toAbsolutePath().relativize(path.toAbsolutePath());
        }
        // only the platform's separator: on Linux a backslash is part of a file's name
        return path.toString().replace(java.io.File.separatorChar, '/');
    }

    private void writeCsv(List<Prediction> predictions, Writer w) throws IOException {
        List<String> header = new ArrayList<>(List.of("path", "label", "probability", "margin", "needs_review"));
        for (int i = 2; i <= topK; i++) {
            header.add("label_" + i);
            header.add("probability_" + i);
        }
        header.add("error");
        CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new))
                .build());
        for (Prediction p : predictions) {
            List<Object> row = new ArrayList<>();
            row.add(pathOf(p));
            row.add(p.label());
            row.add(format(p.probability()));
            row.add(format(p.margin()));
            row.add(p.needsReview(reviewBelow));
            for (int i = 1; i < topK; i++) {
                boolean has = i < p.ranked().size();
                row.add(has ? p.ranked().get(i).label() : "");
                row.add(has ? format(p.ranked().get(i).probability()) : "");
            }
            row.add(p.error() == null ? "" : p.error());
            csv.printRecord(row);
        }
        csv.flush();
    }

    private void writeJsonLines(List<Prediction> predictions, Writer w) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (Prediction p : predictions) {
            ObjectNode o = mapper.createObjectNode();
            o.put("path", pathOf(p));
            if (p.error() == null) {
                o.put("label", p.label());
                o.put("probability", p.probability());
                o.put("margin", p.margin());
                ArrayNode top = o.putArray("top");
                p.ranked().stream().limit(topK).forEach(r -> top.addObject().put("label", r.label())
                        .put("probability", r.probability()));
            }
            o.put("needs_review", p.needsReview(reviewBelow));
            if (p.error() != null) {
                o.put("error", p.error());
            }
            w.write(mapper.writeValueAsString(o));
            w.write('\n');
        }
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    /** Builder; every setting is optional. */
    public static final class Builder {
        private int topK = 3;
        private double reviewBelow = 0.5;
        private Path base;
        private Format format = Format.CSV;

        public Builder optTopK(int k) {
            this.topK = Math.max(1, k);
            return this;
        }

        public Builder optReviewBelow(double p) {
            this.reviewBelow = p;
            return this;
        }

        /** The input folder: paths are written relative to it. */
        public Builder optBase(Path base) {
            this.base = base;
            return this;
        }

        public Builder optFormat(Format format) {
            this.format = format;
            return this;
        }

        public PredictionWriter build() {
            return new PredictionWriter(this);
        }
    }
}
