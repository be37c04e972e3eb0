package org.graft.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.graft.common.BadOptionException;
import org.graft.data.ImageEntry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How classes weigh in the loss ({@code --class-weights}), so that a class with few images is not drowned out by
 * one with many: {@link #NONE} (all 1), {@link #AUTO} (scikit-learn's "balanced": {@code n / (k * n_c)}, so that
 * every class carries the same total weight), or given weights {@code label=weight,...} (classes not named weigh 1).
 * Written into the recipe as the string the user typed, in a normal form.
 *
 * @param auto  inverse class frequency
 * @param given explicit weights by label (empty unless given)
 */
public record ClassWeighting(boolean auto, Map<String, Double> given) {
    public static final ClassWeighting NONE = new ClassWeighting(false, Map.of());
    public static final ClassWeighting AUTO = new ClassWeighting(true, Map.of());

    public ClassWeighting {
        given = Map.copyOf(given);
    }

    /** Reads {@code none}, {@code auto} (or {@code balanced}) or {@code label=weight,...}. */
    @JsonCreator
    public static ClassWeighting parse(String spec) {
        String s = spec == null ? "none" : spec.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("none")) {
            return NONE;
        }
        if (s.equalsIgnoreCase("auto") || s.equalsIgnoreCase("balanced")) {
            return AUTO;
        }
        Map<String, Double> given = new LinkedHashMap<>();
        for (String item : s.split(",")) {
            int eq = item.lastIndexOf('=');
            if (eq <= 0) {
                throw new BadOptionException("Cannot read --class-weights '" + spec + "': '" + item.trim()
                        + "' is not label=weight.", "Use auto, none, or e.g. --class-weights bad=3,good=1.");
            }
            String label = item.substring(0, eq).trim();
            String value = item.substring(eq + 1).trim();
            double w;
            try {
                w = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                w = Double.NaN;
            }
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new BadOptionException("--class-weights: the weight of '" + label + "' must be a positive "
                        + "number (got '" + value + "').", "E.g. --class-weights bad=3,good=1.");
            }
            given.put(label, w);
        }
        return new ClassWeighting(false, given);
    }

    /** The form {@link #parse} reads back. */
    @JsonValue
    public String spec() {
        if (auto) {
            return "auto";
        }
        if (given.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        given.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(sb.isEmpty() ? "" : ",")
                .append(e.getKey()).append('=').append(format(e.getValue())));
        return sb.toString();
    }

    private static String format(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }

    /** The weights in label order, or null for none (an unweighted loss). */
    public double[] resolve(List<String> labels, List<ImageEntry> training) {
        if (auto) {
            return balanced(labels, training);
        }
        if (given.isEmpty()) {
            return null;
        }
        for (String label : given.keySet()) {
            if (!labels.contains(label)) {
                throw new BadOptionException("--class-weights names the class '" + label + "', which the data "
                        + "lacks.", "The classes are " + labels + ".");
            }
        }
        return labels.stream().mapToDouble(l -> given.getOrDefault(l, 1.0)).toArray();
    }

    /** n / (k * n_c): the weights scikit-learn calls "balanced". A class without training images weighs 1. */
    static double[] balanced(List<String> labels, List<ImageEntry> training) {
        long[] counts = new long[labels.size()];
        for (ImageEntry e : training) {
            int i = labels.indexOf(e.label());
            if (i >= 0) {
                counts[i]++;
            }
        }
        double n = training.size();
        double[] w = new double[labels.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = counts[c] == 0 ? 1.0 : n / (labels.size() * (double) counts[c]);
        }
        return w;
    }

    /** "ants 1.07, bees 0.94" for the log. */
    public static String describe(double[] weights, List<String> labels) {
        if (weights == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < weights.length; c++) {
            sb.append(c == 0 ? "" : ", ").append(labels.get(c)).append(String.format(Locale.ROOT, " %.3g", weights[c]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return spec();
    }
}
