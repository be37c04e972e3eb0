package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.graft.model.layers.ConstantPadVertex;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;

import java.util.Arrays;
import java.util.Map;

/**
 * Pad (constant mode, height and width only): a ZeroPaddingLayer, or a ConstantPadVertex for another value. The
 * pads and value are attributes before opset 11 and inputs from 11 on.
 */
final class PadConverter implements OpConverter {
    private final boolean padsAreInputs;

    private PadConverter(boolean padsAreInputs) {
        this.padsAreInputs = padsAreInputs;
    }

    /** Pad-2: pads and value attributes. */
    static PadConverter fromAttributes() {
        return new PadConverter(false);
    }

    /** Pad-11 on: pads (input 1), constant_value (optional input 2); the axes input (18) is refused. */
    static PadConverter fromInputs() {
        return new PadConverter(true);
    }

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, padsAreInputs ? 2 : 1);
        Act x = ctx.spatial(n, 0);
        String mode = n.getString("mode", "constant");
        if (!mode.equals("constant")) {
            throw ctx.unsupported(n, "mode '" + mode + "' (only constant padding is supported)");
        }
        long[] pads;
        double value;
        if (!padsAreInputs) {
            pads = n.getInts("pads", new long[0]);
            value = n.getFloat("value", 0);
        } else {
            if (n.inputCount() > 3) {
                throw ctx.unsupported(n, "the axes input");
            }
            pads = ctx.longs(n, 1, "pads");
            value = n.inputCount() > 2 && !n.input(2).isEmpty() ? ctx.scalar(n, 2, "constant_value") : 0;
        }
        // [N, C, H, W begin; N, C, H, W end]: only H and W may be padded
        if (pads.length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0
                || Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw ctx.unsupported(n, "pads " + Arrays.toString(pads) + " (supported: non-negative padding of "
                    + "height and width)");
        }
        if (Arrays.stream(pads).anyMatch(p -> p > Window.MAX_EXTENT)) {
            throw ctx.damaged(n, "has pads " + Arrays.toString(pads));
        }
        int top = (int) pads[2];
        int left = (int) pads[3];
        int bottom = (int) pads[6];
        int right = (int) pads[7];
        String name = ctx.unique(n.name());
        if (value == 0) {
            ctx.emit(new LayerEmit(name, new ZeroPaddingLayer.Builder(top, bottom, left, right)
                    .dataFormat(ctx.format()).build(), Map.of(), x.vertex()));
        } else {
            ctx.requireChannelsFirst(n, "padding with " + value);
            ctx.emit(new VertexEmit(name, new ConstantPadVertex(top, bottom, left, right, value), x.vertex()));
        }
        ctx.bind(n.output(), new Act(name, new long[]{x.channels(), x.shape()[1] + top + bottom,
                x.shape()[2] + left + right}));
    }
}
