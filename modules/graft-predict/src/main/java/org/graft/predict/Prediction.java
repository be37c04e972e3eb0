package org.graft.predict;

import java.nio.file.Path;
import java.util.List;

/**
 * The model's answer for one image: its classes ranked by probability, or why the image could not be read.
 *
 * @param ranked best first; empty when {@code error} is set
 */
public record Prediction(Path path, List<Ranked> ranked, String error) {

    /** A class and its probability. */
    public record Ranked(String label, double probability) {
    }

    public String label() {
        return ranked.isEmpty() ? "" : ranked.get(0).label();
    }

    public double probability() {
        return ranked.isEmpty() ? Double.NaN : ranked.get(0).probability();
    }

    /** How far the best class is ahead of the runner-up (small: the model hesitates between two classes). */
    public double margin() {
        if (ranked.isEmpty()) {
            return Double.NaN;
        }
        return ranked.size() == 1 ? ranked.get(0).probability()
                : ranked.get(0).probability() - ranked.get(1).probability();
    }

    /** True if a person should look: unreadable, or the best probability is below {@code threshold}. */
    public boolean needsReview(double threshold) {
        return error != null || probability() < threshold;
    }
}
