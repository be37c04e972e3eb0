package org.graft.engine;

import java.util.Locale;

/**
 * Which engine ran a graph and why: what {@code --engine auto} decided (and the run's description records).
 *
 * @param engine     the engine that computed the outputs
 * @param reason     why it and not the other (null when the user chose it)
 * @param difference on the checked batch, the largest |ONNX Runtime - DL4J| over the largest |DL4J output|
 *                   (NaN when no check ran)
 * @param fallback   true when ONNX Runtime was wanted but DL4J runs instead (worth a warning)
 */
public record EngineChoice(Engine engine, String reason, double difference, boolean fallback) {

    /** Outputs of the two engines agree when they differ by at most this, relative to the outputs' scale. */
    public static final double TOLERANCE = 1e-4;

    static EngineChoice chosen(Engine engine) {
        return new EngineChoice(engine, null, Double.NaN, false);
    }

    /** One line for the console and the run's description. */
    public String describe() {
        StringBuilder s = new StringBuilder(engine.cliName());
        if (!Double.isNaN(difference)) {
            s.append(String.format(Locale.ROOT, " (checked against DL4J on the first batch: relative difference "
                    + "%.1e, tolerance %.0e)", difference, TOLERANCE));
        }
        if (reason != null) {
            s.append(": ").append(reason);
        }
        return s.toString();
    }
}
