package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** SubsamplingLayer → MaxPool / AveragePool; GlobalPoolingLayer → GlobalAveragePool / GlobalMaxPool. */
final class PoolingExporter {
    private PoolingExporter() {
    }

    static String pool(String vertex, SubsamplingLayer s, String x, ExportContext ctx) {
        if (Arrays.stream(s.getDilation()).anyMatch(d -> d != 1)) {
            throw ctx.unsupported(vertex, "dilated pooling");
        }
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("kernel_shape", ConvolutionExporter.longs(s.getKernelSize()));
        attrs.put("strides", ConvolutionExporter.longs(s.getStride()));
        ConvolutionExporter.padding(vertex, s.getConvolutionMode(), s.getPadding(), attrs, ctx);
        if (s.getPoolingType() == PoolingType.MAX) {
            return ctx.out().node("MaxPool", List.of(x), attrs);
        }
        if (s.getPoolingType() == PoolingType.AVG) {
            // without padding the flag changes nothing; say 1 so that ONNX Runtime may fuse a Pad before the pooling
            // (its fusion of Pad into AveragePool with count_include_pad=0 excludes the padded zeros)
            boolean padded = "SAME_UPPER".equals(attrs.get("auto_pad"))
                    || Arrays.stream((long[]) attrs.get("pads")).anyMatch(p -> p != 0);
            attrs.put("count_include_pad", !padded || s.isAvgPoolIncludePadInDivisor() ? 1L : 0L);
            return ctx.out().node("AveragePool", List.of(x), attrs);
        }
        throw ctx.unsupported(vertex, s.getPoolingType() + " pooling");
    }

    static String global(String vertex, GlobalPoolingLayer g, String x, ExportContext ctx) {
        String op = switch (g.getPoolingType()) {
            case AVG -> "GlobalAveragePool";
            case MAX -> "GlobalMaxPool";
            default -> throw ctx.unsupported(vertex, "global " + g.getPoolingType() + " pooling");
        };
        String pooled = ctx.out().node(op, List.of(x), Map.of());
        return g.isCollapseDimensions() ? ctx.out().node("Flatten", List.of(pooled), Map.of("axis", 1L)) : pooled;
    }
}
