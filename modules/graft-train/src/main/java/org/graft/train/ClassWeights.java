package org.graft.train;

import org.graft.common.BadOptionException;
import org.graft.common.GraftException;
import org.graft.data.ImageEntry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Weights of each class in the loss ({@code --class-weights}), so that a class with few images is not drowned out
 * by one with many: "none" (all 1), "auto" (scikit-learn's "balanced": {@code n / (k * n_c)}, so that every class
 * carries the same total weight), or an explicit list {@code label=weight,...} (classes not named weigh 1).
 */
public final class ClassWeights {
    private ClassWeights() {
    }

    /** The weights in label order, or null for "none" (an unweighted loss). */
    public static double[] resolve(String spec, List<String> labels, List<ImageEntry> training) {
        String s = spec == null ? "none" : spec.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("none")) {
            return null;
        }
        if (s.equalsIgnoreCase("auto") || s.equalsIgnoreCase("balanced")) {
            return balanced(labels, training);
        }
        Map<String, Double> given = new LinkedHashMap<>();
        for (String item : s.split(",")) {
            int eq = item.lastIndexOf('=');
            if (eq <= 0) {
                throw new BadOptionException("Cannot read --class-weights '" + spec + "': '" + item.trim()
                        + "' is not label=weight.", "Use auto, none, or e.g. --class-weights bad=3,good=1.");
            }
            String label = item.substring(0, eq).trim();
            if (!labels.contains(label)) {
                throw new BadOptionException("--class-weights names the class '" + label + "', which the data lacks.",
                        "The classes are " + labels + ".");
            }
            try {
                double w = Double.parseDouble(item.substring(eq + 1).trim());
                if (!(w > 0) || Double.isInfinite(w)) {
                    throw new NumberFormatException();
                }
                given.put(label, w);
            } catch (NumberFormatException e) {
                throw new BadOptionException("--class-weights: the weight of '" + label + "' must be a positive number"
                        + " (got '" + item.substring(eq + 1).trim() + "').", "E.g. --class-weights bad=3,good=1.");
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
}
