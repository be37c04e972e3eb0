package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.preprocessors.ReshapePreprocessor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Flattens and reshapes, the operations whose meaning depends on the layout: inside the ONNX graph every map is
 * NCHW, while DL4J flattens an NHWC map (a Keras import) in H, W, C order.
 */
final class ShapeExporter {
    private ShapeExporter() {
    }

    static String flatten(String vertex, CnnToFeedForwardPreProcessor c, String x, ExportContext ctx) {
        boolean spatial = c.getInputHeight() * c.getInputWidth() > 1;
        if (spatial && c.getFormat() == CNN2DFormat.NHWC) {
            // DL4J flattens NHWC maps in H, W, C order; the ONNX tensor is NCHW
            x = ctx.out().node("Transpose", List.of(x), Map.of("perm", new long[]{0, 2, 3, 1}));
        }
        return ctx.out().node("Flatten", List.of(x), Map.of("axis", 1L));
    }

    static String reshapePreprocessor(String vertex, ReshapePreprocessor r, String x, ExportContext ctx) {
        return reshape(vertex, r.getTargetShape(), x, ctx);
    }

    /** Keras' Reshape(1, 1, C) of pooled features (either layout): [N, C] → [N, C, 1, 1] in NCHW. */
    static String reshapeVertex(String vertex, ReshapeVertex r, List<String> in, ExportContext ctx) {
        int[] shape = r.getNewShape();
        return reshape(vertex, Arrays.stream(shape).skip(1).asLongStream().toArray(), in.get(0), ctx);
    }

    /**
     * Reshapes that do not depend on the layout: a vector to a 1x1 map of C channels ([1, 1, C] or [C, 1, 1]), and
     * a vector or 1x1 map to a vector.
     */
    private static String reshape(String vertex, long[] target, String x, ExportContext ctx) {
        long[] nonUnit = Arrays.stream(target).filter(d -> d != 1).toArray();
        if (target.length == 3 && nonUnit.length == 1) {
            return ctx.out().node("Reshape", List.of(x, ctx.out().longs(-1, nonUnit[0], 1, 1)), Map.of());
        }
        if (target.length == 1) {
            return ctx.out().node("Flatten", List.of(x), Map.of("axis", 1L));
        }
        throw ctx.unsupported(vertex, "a reshape to " + Arrays.toString(target));
    }
}
