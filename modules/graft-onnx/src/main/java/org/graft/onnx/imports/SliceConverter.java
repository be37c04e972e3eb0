package org.graft.onnx.imports;

import org.graft.model.layers.ChannelSliceVertex;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Slice of a feature map's channels (how Graft's export writes a {@link ChannelSliceVertex}, one group of a grouped
 * convolution): a ChannelSliceVertex. Height and width may be listed only with their whole range; the batch, steps
 * other than 1 and empty slices are refused. starts, ends and axes are attributes before opset 10 and inputs (with
 * steps) from 10 on; negative indices count from the end and indices past it are clamped, as ONNX defines.
 */
final class SliceConverter implements OpConverter {
    private final boolean boundsAreInputs;

    private SliceConverter(boolean boundsAreInputs) {
        this.boundsAreInputs = boundsAreInputs;
    }

    /** Slice-1: starts, ends and axes attributes. */
    static SliceConverter fromAttributes() {
        return new SliceConverter(false);
    }

    /** Slice-10 on: starts (input 1), ends (2), optional axes (3) and steps (4). */
    static SliceConverter fromInputs() {
        return new SliceConverter(true);
    }

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, boundsAreInputs ? 3 : 1);
        if (n.inputCount() > (boundsAreInputs ? 5 : 1)) {
            throw ctx.damaged(n, "has " + n.inputCount() + " inputs");
        }
        Act x = ctx.spatial(n, 0);
        long[] starts = boundsAreInputs ? indices(n, 1, "starts", ctx) : required(n, "starts", ctx);
        long[] ends = boundsAreInputs ? indices(n, 2, "ends", ctx) : required(n, "ends", ctx);
        long[] axes = boundsAreInputs ? optional(n, 3, "axes", ctx) : n.getInts("axes", null);
        long[] steps = boundsAreInputs ? optional(n, 4, "steps", ctx) : null;
        int rank = 4;
        if (axes == null) {
            axes = new long[starts.length];
            Arrays.setAll(axes, i -> i);
        }
        if (ends.length != starts.length || axes.length != starts.length
                || (steps != null && steps.length != starts.length)) {
            throw ctx.damaged(n, "has starts, ends, axes and steps of different lengths (" + starts.length + ", "
                    + ends.length + ", " + axes.length + (steps == null ? "" : ", " + steps.length) + ")");
        }
        long from = 0;
        long to = x.channels();
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (axis < 0 || axis >= rank || seen[(int) axis]) {
                throw ctx.damaged(n, "has axes " + Arrays.toString(axes) + ", which do not name distinct axes of a "
                        + "rank-" + rank + " tensor");
            }
            seen[(int) axis] = true;
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw ctx.damaged(n, "has a step of 0");
            }
            if (step != 1) {
                throw ctx.unsupported(n, "a step of " + step + " (supported: 1)");
            }
            if (axis == 0) {
                throw ctx.unsupported(n, "a slice of the batch (supported: a range of channels)");
            }
            long dim = x.shape()[(int) axis - 1];
            long start = clamp(starts[i], dim);
            long end = clamp(ends[i], dim);
            if (axis == 1) {
                from = start;
                to = end;
            } else if (start != 0 || end != dim) {
                throw ctx.unsupported(n, "a slice " + start + ":" + end + " of axis " + axis + " of a "
                        + Arrays.toString(x.shape()) + " map (supported: a range of channels)");
            }
        }
        if (from >= to) {
            throw ctx.unsupported(n, "an empty slice (channels " + from + " to " + to + ")");
        }
        if (from == 0 && to == x.channels()) {
            ctx.alias(n.output(), x);
            return;
        }
        ctx.requireChannelsFirst(n, "a slice of channels");
        String name = ctx.unique(n.name());
        ctx.emit(new VertexEmit(name, new ChannelSliceVertex((int) from, (int) to), x.vertex()));
        ctx.bind(n.output(), new Act(name, new long[]{to - from, x.shape()[1], x.shape()[2]}));
    }

    /** ONNX's reading of an index into a dimension of {@code dim}: negative from the end, then clamped. */
    private static long clamp(long index, long dim) {
        long i = index < 0 ? Math.max(index, -dim) + dim : index;
        return Math.min(i, dim);
    }

    /** An integer constant (int32 or int64, as ONNX defines these inputs). */
    private static long[] indices(OnnxNode n, int i, String what, ConversionContext ctx) {
        INDArray c = ctx.constant(n, i, what);
        if (!c.dataType().isIntType() || c.rank() > 1) {
            throw ctx.damaged(n, "has " + what + " of type " + c.dataType() + " and shape "
                    + Arrays.toString(c.shape()) + " where ONNX defines a vector of integers");
        }
        return ctx.longs(n, i, what);
    }

    private static long[] optional(OnnxNode n, int i, String what, ConversionContext ctx) {
        return n.inputCount() > i && !n.input(i).isEmpty() ? indices(n, i, what, ctx) : null;
    }

    private static long[] required(OnnxNode n, String attribute, ConversionContext ctx) {
        long[] v = n.getInts(attribute, null);
        if (v == null) {
            throw ctx.damaged(n, "lacks its attribute '" + attribute + "'");
        }
        return v;
    }
}
