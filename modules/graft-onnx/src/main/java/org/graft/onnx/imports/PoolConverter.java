package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.graft.model.layers.ConstantPadVertex;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;

import java.util.Arrays;
import java.util.Map;

/**
 * MaxPool, AveragePool: a SubsamplingLayer. DL4J pads symmetrically (or as SAME_UPPER does, in its Same mode), so
 * padded max pools of NCHW models get a ConstantPadVertex(−Float.MAX_VALUE) first (what ceil_mode adds is
 * asymmetric); average pools counting the padding get zeros the same way, and those excluding it use DL4J's own
 * padding with {@code avgPoolIncludePadInDivisor(false)} (checked against PyTorch). DL4J's own padding leaves the
 * padding out of max pools too, which is what NHWC models (Graft's vertices are NCHW only) use.
 */
final class PoolConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        boolean max = n.op().equals("MaxPool");
        if (max && n.outputs().size() > 1 && ctx.consumers(n.outputs().get(1)) > 0) {
            throw ctx.unsupported(n, "its Indices output");
        }
        ctx.requireInputs(n, 1);
        Act x = ctx.spatial(n, 0);
        if (!n.has("kernel_shape")) {
            throw ctx.unsupported(n, "a pooling without kernel_shape");
        }
        long[] kernelShape = n.getInts("kernel_shape", null);
        if (kernelShape.length != 2) {
            throw ctx.unsupported(n, kernelShape.length + "-D pooling (only 2-D pooling is supported)");
        }
        int[] kernel = Window.pair(n, "kernel_shape", null, 1, ctx);
        int[] stride = Window.pair(n, "strides", new long[]{1, 1}, 1, ctx);
        int[] dilation = Window.pair(n, "dilations", new long[]{1, 1}, 1, ctx);
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw ctx.unsupported(n, "dilations " + Arrays.toString(dilation));
        }
        int[] pads = Window.pads(n, x, kernel, stride, dilation, ctx);
        long h = x.shape()[1];
        long w = x.shape()[2];
        if (n.getInt("ceil_mode", 0) == 1) {
            // windows may run past the end: pad the end so the last window exists
            int extraH = ceilExtra(h, kernel[0], stride[0], pads[0], pads[2]);
            int extraW = ceilExtra(w, kernel[1], stride[1], pads[1], pads[3]);
            if (!max && (extraH > 0 || extraW > 0)) {
                throw ctx.unsupported(n, "ceil_mode=1 with windows running past the input (AveragePool)");
            }
            pads[2] += extraH;
            pads[3] += extraW;
        }
        boolean padded = Arrays.stream(pads).anyMatch(p -> p != 0);
        boolean symmetric = pads[0] == pads[2] && pads[1] == pads[3];
        boolean countPad = !max && n.getInt("count_include_pad", 0) == 1;
        long outH = Window.outputSize(n, h, pads[0] + pads[2], kernel[0], stride[0], ctx);
        long outW = Window.outputSize(n, w, pads[1] + pads[3], kernel[1], stride[1], ctx);
        String input = x.vertex();
        int[] layerPadding = {0, 0};
        ConvolutionMode mode = ConvolutionMode.Truncate;
        if (padded && countPad) {
            // average counting the padding: zeros are exact
            input = ctx.channelsLast() ? ctx.emitPrivate(new LayerEmit(ctx.unique(n.name() + "/pad"),
                    new ZeroPaddingLayer.Builder(pads[0], pads[2], pads[1], pads[3]).dataFormat(ctx.format()).build(),
                    Map.of(), x.vertex())) : padVertex(n, pads, 0, x, ctx);
        } else if (padded && max && !ctx.channelsLast()) {
            // the padding must lose every comparison
            input = padVertex(n, pads, ConstantPadVertex.MAX_POOL_PAD, x, ctx);
        } else if (padded && symmetric) {
            layerPadding = new int[]{pads[0], pads[1]}; // DL4J pools over the valid part only
        } else if (padded && Window.isSameUpper(pads, x, kernel, stride)) {
            mode = ConvolutionMode.Same; // DL4J's Same pads this way, pooling over the valid part only
        } else if (padded) {
            throw ctx.unsupported(n, "asymmetric pads " + Arrays.toString(pads) + (max ? " (MaxPool of an NHWC "
                    + "model)" : " with count_include_pad=0"));
        }
        String name = ctx.unique(n.name());
        Layer layer = new SubsamplingLayer.Builder(max ? PoolingType.MAX : PoolingType.AVG)
                .kernelSize(kernel).stride(stride).padding(layerPadding)
                .avgPoolIncludePadInDivisor(false)
                .convolutionMode(mode).dataFormat(ctx.format()).build();
        ctx.emit(new LayerEmit(name, layer, Map.of(), input));
        ctx.bind(n.output(), new Act(name, new long[]{x.channels(), outH, outW}));
    }

    private static String padVertex(OnnxNode n, int[] pads, double value, Act x, ConversionContext ctx) {
        return ctx.emitPrivate(new VertexEmit(ctx.unique(n.name() + "/pad"), new ConstantPadVertex(pads[0], pads[2],
                pads[1], pads[3], value), x.vertex()));
    }

    /** Extra end padding that ceil_mode needs: the last window must start inside the input or its start padding. */
    private static int ceilExtra(long size, int kernel, int stride, int padBegin, int padEnd) {
        long span = size + padBegin + padEnd - kernel;
        long out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= size + padBegin) {
            out--;
        }
        return (int) Math.max(0, (out - 1) * stride + kernel - (size + padBegin + padEnd));
    }
}
