package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.model.layers.ChannelSliceVertex;
import org.graft.model.layers.ConstantPadVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The parameter-free vertices (DL4J's and Graft's) and the padding layer, each one or two ONNX nodes. */
final class VertexExporters {
    private VertexExporters() {
    }

    static String elementWise(String vertex, ElementWiseVertex e, List<String> in, ExportContext ctx) {
        OnnxGraphWriter out = ctx.out();
        return switch (e.getOp()) {
            case Add -> out.chain("Add", in);
            case Subtract -> out.node("Sub", in, Map.of());
            case Product -> out.chain("Mul", in);
            case Average -> out.node("Mean", in, Map.of());
            case Max -> out.node("Max", in, Map.of());
            default -> throw ctx.unsupported(vertex, "ElementWiseVertex " + e.getOp());
        };
    }

    /**
     * Graft's per-channel scale and offset (channelsLast or not: inside the ONNX graph maps are NCHW); a scale of
     * one or an offset of zero is left out (the import's copies before an ActivationLayer are both).
     */
    static String channelAffine(String vertex, ChannelAffineVertex a, List<String> in, ExportContext ctx) {
        boolean map = ctx.typeOf(vertex) instanceof InputType.InputTypeConvolutional;
        OnnxGraphWriter out = ctx.out();
        String y = in.get(0);
        if (Arrays.stream(a.getScale()).anyMatch(v -> v != 1)) {
            y = out.node("Mul", List.of(y, out.constant(perChannel(a.getScale(), map))), Map.of());
        }
        if (Arrays.stream(a.getOffset()).anyMatch(v -> v != 0)) {
            y = out.node("Add", List.of(y, out.constant(perChannel(a.getOffset(), map))), Map.of());
        }
        return y;
    }

    static String channelSlice(String vertex, ChannelSliceVertex s, List<String> in, ExportContext ctx) {
        OnnxGraphWriter out = ctx.out();
        return out.node("Slice", List.of(in.get(0), out.longs(s.getFrom()), out.longs(s.getTo()), out.longs(1)),
                Map.of());
    }

    static String constantPad(String vertex, ConstantPadVertex p, List<String> in, ExportContext ctx) {
        return ctx.out().pad(in.get(0), p.getTop(), p.getLeft(), p.getBottom(), p.getRight(), p.getValue());
    }

    static String zeroPadding(String vertex, ZeroPaddingLayer z, String x, ExportContext ctx) {
        int[] pad = z.getPadding(); // top, bottom, left, right
        return ctx.out().pad(x, pad[0], pad[2], pad[1], pad[3], 0);
    }

    private static INDArray perChannel(double[] values, boolean map) {
        INDArray v = Nd4j.createFromArray(values).castTo(DataType.FLOAT);
        return map ? v.reshape(1, values.length, 1, 1) : v.reshape(1, values.length);
    }
}
