package org.graft.backbone.keras;

import java.util.List;
import java.util.Map;

/** Small helpers for reading a Keras layer's JSON config (already parsed into maps by DL4J). */
final class KerasConfigs {
    private KerasConfigs() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> inner(Map<String, Object> layerConfig) {
        Object c = layerConfig.get("config");
        return c instanceof Map ? (Map<String, Object>) c : Map.of();
    }

    /** A number or a list of numbers; {@code fallback} when absent. */
    static double[] doubles(Object value, double fallback) {
        if (value == null) {
            return new double[]{fallback};
        }
        if (value instanceof Number n) {
            return new double[]{n.doubleValue()};
        }
        if (value instanceof List<?> list) {
            double[] out = new double[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) list.get(i)).doubleValue();
            }
            return out;
        }
        throw new IllegalArgumentException("Expected a number or a list of numbers, got " + value);
    }
}
