package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.graft.onnx.DepthwiseWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** ConvolutionLayer and DepthwiseConvolution2D → Conv (group 1, or group = channels), then the activation. */
final class ConvolutionExporter {
    private ConvolutionExporter() {
    }

    static String plain(String vertex, ConvolutionLayer c, String x, ExportContext ctx) {
        Map<String, INDArray> p = ctx.params(vertex);
        return ctx.activation(vertex, conv(vertex, c, x, p.get("W"), p.get("b"), 1, ctx), c.getActivationFn());
    }

    static String depthwise(String vertex, DepthwiseConvolution2D d, String x, ExportContext ctx) {
        Map<String, INDArray> p = ctx.params(vertex);
        INDArray w = p.get("W");
        return ctx.activation(vertex, conv(vertex, d, x, DepthwiseWeights.toOnnx(w), p.get("b"), w.size(2), ctx),
                d.getActivationFn());
    }

    private static String conv(String vertex, ConvolutionLayer c, String x, INDArray w, INDArray b, long group,
                               ExportContext ctx) {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("kernel_shape", longs(c.getKernelSize()));
        attrs.put("strides", longs(c.getStride()));
        attrs.put("dilations", longs(c.getDilation()));
        attrs.put("group", group);
        padding(vertex, c.getConvolutionMode(), c.getPadding(), attrs, ctx);
        List<String> inputs = new ArrayList<>(List.of(x, ctx.out().constant(w)));
        if (b != null && c.hasBias()) {
            inputs.add(ctx.out().constant(b.reshape(b.length())));
        }
        return ctx.out().node("Conv", inputs, attrs);
    }

    /** DL4J's Same mode pads like TensorFlow: the odd pixel at the end, i.e. ONNX's SAME_UPPER. */
    static void padding(String vertex, ConvolutionMode mode, int[] pad, Map<String, Object> attrs,
                        ExportContext ctx) {
        switch (mode) {
            case Same -> attrs.put("auto_pad", "SAME_UPPER");
            case Truncate, Strict -> attrs.put("pads", new long[]{pad[0], pad[1], pad[0], pad[1]});
            default -> throw ctx.unsupported(vertex, "convolution mode " + mode);
        }
    }

    static long[] longs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }
}
