package org.graft.model.schedule;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Locale;
import java.util.Objects;

/**
 * A learning rate per training step (iteration): a linear warm-up from near zero to {@code peak} over
 * {@code warmupSteps}, then constant, a half-cosine down to 1% of the peak, or Smith's one-cycle, until
 * {@code totalSteps}. DL4J 1.0.0-M2.1 has neither cosine nor a warm-up that composes with it, so it lives here.
 *
 * <p>It is part of a model's configuration JSON (each layer's updater holds one), so it is written and read by
 * DL4J's Jackson with the property names below; no Java serialization.
 */
public final class WarmupSchedule implements ISchedule {
    /** The shape after the warm-up. */
    public enum Shape { CONSTANT, COSINE, ONECYCLE }

    /** The cosine ends at this fraction of the peak rather than at zero, so the last epoch still learns. */
    static final double COSINE_FLOOR = 0.01;
    /** One-cycle: start at peak / 25, rise for 30% of the steps, end at peak / 10^4 (PyTorch's OneCycleLR). */
    static final double ONECYCLE_START = 1 / 25.0;
    static final double ONECYCLE_RISE = 0.3;
    static final double ONECYCLE_END = 1e-4;

    private final Shape shape;
    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;

    public WarmupSchedule(@JsonProperty("shape") Shape shape, @JsonProperty("peak") double peak,
                          @JsonProperty("warmupSteps") int warmupSteps, @JsonProperty("totalSteps") int totalSteps) {
        if (peak <= 0 || warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("bad schedule: peak " + peak + ", warm-up " + warmupSteps
                    + ", total " + totalSteps);
        }
        this.shape = Objects.requireNonNull(shape);
        this.peak = peak;
        this.warmupSteps = Math.min(warmupSteps, totalSteps);
        this.totalSteps = totalSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            // (i + 1) / n: the first step already learns a little, the n-th reaches the peak
            return peak * (iteration + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double t = Math.min(1.0, (double) (iteration - warmupSteps) / decaySteps);
        return switch (shape) {
            case CONSTANT -> peak;
            case COSINE -> peak * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * t)));
            case ONECYCLE -> {
                if (t < ONECYCLE_RISE) {
                    double u = t / ONECYCLE_RISE;
                    yield peak * (ONECYCLE_START + (1 - ONECYCLE_START) * 0.5 * (1 - Math.cos(Math.PI * u)));
                }
                double u = (t - ONECYCLE_RISE) / (1 - ONECYCLE_RISE);
                yield peak * (ONECYCLE_END + (1 - ONECYCLE_END) * 0.5 * (1 + Math.cos(Math.PI * u)));
            }
        };
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(shape, peak, warmupSteps, totalSteps);
    }

    public Shape getShape() {
        return shape;
    }

    public double getPeak() {
        return peak;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule s && shape == s.shape && peak == s.peak && warmupSteps == s.warmupSteps
                && totalSteps == s.totalSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, peak, warmupSteps, totalSteps);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s to %.2g, %d warm-up steps of %d", shape.name().toLowerCase(Locale.ROOT),
                peak, warmupSteps, totalSteps);
    }
}
