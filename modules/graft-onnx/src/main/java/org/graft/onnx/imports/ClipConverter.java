package org.graft.onnx.imports;

import org.graft.onnx.OnnxActivations;
import org.graft.onnx.imports.Value.Act;

/**
 * Clip: its bounds are attributes before opset 11 and optional constant inputs from 11 on; the shared table
 * {@link OnnxActivations} makes it ReLU6, ReLU, HardTanh or Graft's ClipActivation.
 */
final class ClipConverter implements OpConverter {
    private final boolean boundsAreInputs;

    private ClipConverter(boolean boundsAreInputs) {
        this.boundsAreInputs = boundsAreInputs;
    }

    /** Clip-1 and Clip-6: min and max attributes. */
    static ClipConverter fromAttributes() {
        return new ClipConverter(false);
    }

    /** Clip-11 on: min and max as optional inputs 1 and 2. */
    static ClipConverter fromInputs() {
        return new ClipConverter(true);
    }

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Act x = ctx.act(n, 0);
        OnnxActivations.Parameters bounds = boundsAreInputs ? (name, fallback) -> bound(n, name, fallback, ctx)
                : n::getFloat;
        float min = bounds.get("min", -Float.MAX_VALUE);
        float max = bounds.get("max", Float.MAX_VALUE);
        if (Float.isNaN(min) || Float.isNaN(max)) {
            throw ctx.damaged(n, "has a NaN bound (min " + min + ", max " + max + ")");
        }
        if (min > max) {
            throw ctx.unsupported(n, "min " + min + " above max " + max);
        }
        ActivationConverter.apply(n, x, OnnxActivations.toDl4j("Clip", bounds), ctx);
    }

    private static float bound(OnnxNode n, String name, float fallback, ConversionContext ctx) {
        int input = name.equals("min") ? 1 : 2;
        return n.inputCount() > input && !n.input(input).isEmpty() ? (float) ctx.scalar(n, input, name) : fallback;
    }
}
