package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/**
 * Conv (2-D): a convolution left open ({@link ConvEmit}) for what follows to fold into; {@link GraphAssembler}
 * makes it a ConvolutionLayer, a DepthwiseConvolution2D (group = channels) or per-group convolutions. DL4J pads
 * symmetrically, so asymmetric or SAME padding becomes a ZeroPaddingLayer first.
 */
final class ConvConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 2);
        Act x = ctx.spatial(n, 0);
        INDArray w = ctx.floats(n, 1, "weights");
        if (w.rank() != 4) {
            throw ctx.unsupported(n, "a " + (w.rank() - 2) + "-D convolution (only 2-D convolutions are supported)");
        }
        long group = n.getInt("group", 1);
        long out = w.size(0);
        if (group < 1 || group > x.channels() || w.size(1) * group != x.channels() || out % group != 0) {
            throw ctx.unsupported(n, "weights " + Arrays.toString(w.shape()) + " with group=" + group + " on "
                    + x.channels() + " input channels");
        }
        INDArray b = n.inputCount() > 2 ? ctx.vector(n, 2, out, "bias") : null;
        int[] kernel = Window.pair(n, "kernel_shape", new long[]{w.size(2), w.size(3)}, 1, ctx);
        if (kernel[0] != w.size(2) || kernel[1] != w.size(3)) {
            throw ctx.unsupported(n, "kernel_shape " + Arrays.toString(kernel) + " that differs from its weights");
        }
        int[] stride = Window.pair(n, "strides", new long[]{1, 1}, 1, ctx);
        int[] dilation = Window.pair(n, "dilations", new long[]{1, 1}, 1, ctx);
        int[] pads = Window.pads(n, x, kernel, stride, dilation, ctx);
        String input = x.vertex();
        long h = x.shape()[1];
        long wd = x.shape()[2];
        int[] padding = {pads[0], pads[1]};
        if (pads[0] != pads[2] || pads[1] != pads[3]) {
            // DL4J pads symmetrically; pad the map first and convolve without padding
            input = ctx.emitPrivate(new LayerEmit(ctx.unique(n.name() + "/pad"), new ZeroPaddingLayer.Builder(
                    pads[0], pads[2], pads[1], pads[3]).dataFormat(ctx.format()).build(), Map.of(), x.vertex()));
            h += pads[0] + pads[2];
            wd += pads[1] + pads[3];
            padding = new int[]{0, 0};
        }
        long outH = Window.outputSize(n, h, 2L * padding[0], Window.extent(kernel[0], dilation[0]), stride[0], ctx);
        long outW = Window.outputSize(n, wd, 2L * padding[1], Window.extent(kernel[1], dilation[1]), stride[1], ctx);
        String name = ctx.unique(n.name());
        boolean grouped = group != 1 && group != x.channels();
        if (grouped) {
            ctx.requireChannelsFirst(n, "a grouped convolution (group=" + group + ")");
        }
        String[] slices = new String[grouped ? (int) group : 0];
        String[] parts = new String[slices.length];
        for (int g = 0; g < slices.length; g++) {
            slices[g] = ctx.unique(name + "/group" + g + "/in");
            parts[g] = ctx.unique(name + "/group" + g);
        }
        ctx.emit(new ConvEmit(name, input, w.dup(), b, (int) group, x.channels(),
                new Window(kernel, stride, dilation, padding), slices, parts));
        ctx.bind(n.output(), new Act(name, new long[]{out, outH, outW}));
    }
}
