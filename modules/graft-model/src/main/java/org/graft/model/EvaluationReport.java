package org.graft.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.graft.common.DamagedFileException;
import org.graft.common.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of evaluating a classifier on labelled images: what {@code metrics.json} holds and what
 * {@code graft evaluate} prints.
 */
public record EvaluationReport(List<String> labels, int count, double accuracy, double macroF1, double logLoss,
                               List<ClassMetrics> perClass, long[][] confusionMatrix,
                               List<Misclassified> misclassified, List<Misclassified> leastConfident) {

    /** Precision, recall and F1 of one class; support is the number of images truly of that class. */
    public record ClassMetrics(String label, double precision, double recall, double f1, long support) {
    }

    /** An image the model got wrong, or was least sure about (then the labels may agree). */
    public record Misclassified(String path, String trueLabel, String predictedLabel, double predictedProbability,
                                double trueProbability) {
    }

    /** The {@code metrics.json} layout: accuracy, macroF1, perClass, confusionMatrix (with label order). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = summary();
        Map<String, Object> per = new LinkedHashMap<>();
        for (ClassMetrics c : perClass) {
            per.put(c.label(), Map.of("precision", c.precision(), "recall", c.recall(), "f1", c.f1(),
                    "support", c.support()));
        }
        m.put("perClass", per);
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("labels", labels);
        cm.put("rows", "true class");
        cm.put("columns", "predicted class");
        cm.put("matrix", confusionMatrix);
        m.put("confusionMatrix", cm);
        m.put("misclassified", misclassified);
        m.put("leastConfident", leastConfident);
        return m;
    }

    public void writeJson(Path file) {
        Json.write(file, toJson());
    }

    /** Reads a {@code metrics.json} as {@link #toJson} writes it. */
    public static EvaluationReport readJson(Path file) {
        JsonNode m = Json.read(file, JsonNode.class);
        try {
            JsonNode cm = m.required("confusionMatrix");
            List<String> labels = Json.mapper().convertValue(cm.required("labels"), new TypeReference<>() { });
            long[][] matrix = Json.mapper().convertValue(cm.required("matrix"), long[][].class);
            List<ClassMetrics> perClass = new ArrayList<>();
            m.required("perClass").fields().forEachRemaining(e -> perClass.add(new ClassMetrics(e.getKey(),
                    number(e.getValue().get("precision")), number(e.getValue().get("recall")),
                    number(e.getValue().get("f1")), e.getValue().path("support").asLong())));
            return new EvaluationReport(labels, m.path("count").asInt(), number(m.get("accuracy")),
                    number(m.get("macroF1")), number(m.get("logLoss")), perClass, matrix,
                    examples(m.get("misclassified")), examples(m.get("leastConfident")));
        } catch (IllegalArgumentException e) {
            // Jackson's required() and convertValue() say so for a missing or mistyped part
            throw new DamagedFileException(file + " is not a metrics file Graft wrote: " + e.getMessage(),
                    "Run 'graft evaluate' again to rewrite it.", e);
        }
    }

    /** Jackson writes NaN as the string "NaN". */
    private static double number(JsonNode n) {
        if (n == null || n.isNull()) {
            return Double.NaN;
        }
        return n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText("NaN"));
    }

    private static List<Misclassified> examples(JsonNode list) {
        List<Misclassified> out = new ArrayList<>();
        if (list != null) {
            for (JsonNode x : list) {
                out.add(new Misclassified(x.path("path").asText(), x.path("trueLabel").asText(),
                        x.path("predictedLabel").asText(), number(x.get("predictedProbability")),
                        number(x.get("trueProbability"))));
            }
        }
        return out;
    }

    /** A short summary for the model's own description. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("accuracy", accuracy);
        m.put("macroF1", macroF1);
        m.put("logLoss", logLoss);
        return m;
    }

    /** Tables for a terminal (see {@link EvaluationTable}: bounded however many classes there are). */
    public String toTable() {
        return EvaluationTable.of(this);
    }

    /** A cell of the confusion matrix off its diagonal: how often {@code trueLabel} was taken for another. */
    public record Confusion(String trueLabel, String predictedLabel, long count) {
    }

    /** The {@code n} largest confusions, largest first (ties in label order). */
    public List<Confusion> topConfusions(int n) {
        List<Confusion> all = new ArrayList<>();
        for (int t = 0; t < labels.size(); t++) {
            for (int p = 0; p < labels.size(); p++) {
                if (t != p && confusionMatrix[t][p] > 0) {
                    all.add(new Confusion(labels.get(t), labels.get(p), confusionMatrix[t][p]));
                }
            }
        }
        all.sort(java.util.Comparator.comparingLong(Confusion::count).reversed());
        return all.subList(0, Math.min(n, all.size()));
    }
}
