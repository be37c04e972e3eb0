package org.graft.onnx.imports;

import org.graft.onnx.imports.Value.Act;
import org.graft.onnx.imports.Value.ChannelsLast;
import org.graft.onnx.imports.Value.Const;

import java.util.Arrays;

/**
 * Transpose of an image's layout, the two that Graft's export writes for NHWC models (and tf2onnx for TensorFlow
 * ones): NHWC → NCHW ([0, 3, 1, 2]) on a channels-last tensor, which gives the map back, and NCHW → NHWC
 * ([0, 2, 3, 1]) on a map, which a Flatten in H, W, C order follows. Neither moves data in DL4J: an NHWC model's
 * DL4J graph is channels-last throughout ({@link ImageInput}). The identity is an alias; any other permutation
 * (moving the batch, swapping height and width) is refused.
 */
final class TransposeConverter implements OpConverter {
    static final long[] TO_CHANNELS_LAST = {0, 2, 3, 1};

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        if (n.inputCount() > 1) {
            throw ctx.damaged(n, "has " + n.inputCount() + " inputs where Transpose takes one");
        }
        Value x = ctx.value(n, 0);
        if (x instanceof Const) {
            throw ctx.unsupported(n, "a constant as input 0 (export with constant folding)");
        }
        int rank = x instanceof Act a ? a.shape().length + 1 : 4;
        long[] perm = n.getInts("perm", null);
        if (perm == null) {
            throw ctx.unsupported(n, "the default permutation (reversing all " + rank + " axes, the batch too)");
        }
        checkPermutation(n, perm, rank, ctx);
        if (isIdentity(perm)) {
            ctx.alias(n.output(), x);
        } else if (x instanceof ChannelsLast c && Arrays.equals(perm, ImageInput.TO_CHANNELS_FIRST)) {
            ctx.alias(n.output(), c.map());
        } else if (x instanceof Act a && a.spatial() && Arrays.equals(perm, TO_CHANNELS_LAST)) {
            ctx.aliasChannelsLast(n.output(), a);
        } else {
            throw ctx.unsupported(n, "perm " + Arrays.toString(perm) + " on " + describe(x) + " (Graft reads "
                    + "Transposes between NHWC and NCHW images: [0, 3, 1, 2] of an NHWC tensor, [0, 2, 3, 1] of a "
                    + "feature map)");
        }
    }

    /** perm must name each axis of the tensor once. */
    private static void checkPermutation(OnnxNode n, long[] perm, int rank, ConversionContext ctx) {
        if (perm.length != rank) {
            throw ctx.damaged(n, "has perm " + Arrays.toString(perm) + " for a rank-" + rank + " tensor");
        }
        boolean[] seen = new boolean[rank];
        for (long axis : perm) {
            if (axis < 0 || axis >= rank || seen[(int) axis]) {
                throw ctx.damaged(n, "has perm " + Arrays.toString(perm) + ", which is not a permutation of the "
                        + rank + " axes");
            }
            seen[(int) axis] = true;
        }
    }

    private static boolean isIdentity(long[] perm) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] != i) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Value x) {
        if (x instanceof ChannelsLast c) {
            long[] chw = c.map().shape();
            return "an NHWC tensor " + Arrays.toString(new long[]{chw[1], chw[2], chw[0]});
        }
        Act a = (Act) x;
        return (a.spatial() ? "a feature map " : "a vector ") + Arrays.toString(a.shape());
    }
}
