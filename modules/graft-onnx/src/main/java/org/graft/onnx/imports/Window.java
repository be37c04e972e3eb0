package org.graft.onnx.imports;

import org.graft.onnx.imports.Value.Act;

import java.util.Arrays;

/**
 * The window of a 2-D convolution or pooling as DL4J takes it: kernel, strides, dilations and symmetric padding
 * ([height, width] each), and the checked reading of ONNX's attributes for them. Every value is bounded
 * ({@link #MAX_EXTENT}), so the size arithmetic below cannot overflow and no zero stride divides.
 */
record Window(int[] kernel, int[] stride, int[] dilation, int[] padding) {
    /** Far beyond any image model's kernel, stride or padding; keeps every product well inside a long. */
    static final int MAX_EXTENT = 1 << 20;

    /** A two-value attribute (kernel_shape, strides, dilations), each value in [min, MAX_EXTENT]. */
    static int[] pair(OnnxNode n, String attribute, long[] fallback, int min, ConversionContext ctx) {
        long[] v = n.getInts(attribute, fallback);
        if (v.length != 2) {
            throw ctx.unsupported(n, attribute + " " + Arrays.toString(v) + " (2-D windows only)");
        }
        for (long d : v) {
            if (d < min || d > MAX_EXTENT) {
                throw ctx.damaged(n, "has " + attribute + " " + Arrays.toString(v));
            }
        }
        return new int[]{(int) v[0], (int) v[1]};
    }

    /**
     * Explicit [top, left, bottom, right] padding from pads or auto_pad (SAME_UPPER puts the odd pixel last), for
     * the window over x's height and width.
     */
    static int[] pads(OnnxNode n, Act x, int[] kernel, int[] stride, int[] dilation, ConversionContext ctx) {
        String auto = n.getString("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET", "" -> {
                long[] p = n.getInts("pads", new long[]{0, 0, 0, 0});
                if (p.length != 4 || Arrays.stream(p).anyMatch(v -> v < 0)) {
                    throw ctx.unsupported(n, "pads " + Arrays.toString(p));
                }
                if (Arrays.stream(p).anyMatch(v -> v > MAX_EXTENT)) {
                    throw ctx.damaged(n, "has pads " + Arrays.toString(p));
                }
                return Arrays.stream(p).mapToInt(v -> (int) v).toArray();
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] out = new int[4];
                for (int d = 0; d < 2; d++) {
                    long in = x.shape()[1 + d];
                    long outSize = (in + stride[d] - 1) / stride[d];
                    long total = Math.max(0, (outSize - 1) * stride[d] + extent(kernel[d], dilation[d]) - in);
                    if (total > 2L * MAX_EXTENT) {
                        throw ctx.unsupported(n, "auto_pad " + auto + " padding " + total + " pixels");
                    }
                    long small = total / 2;
                    long large = total - small;
                    boolean upper = auto.equals("SAME_UPPER");
                    out[d] = (int) (upper ? small : large);
                    out[d + 2] = (int) (upper ? large : small);
                }
                return out;
            }
            default -> throw ctx.unsupported(n, "auto_pad '" + auto + "'");
        }
    }

    /** True if pads [top, left, bottom, right] are what SAME_UPPER gives a window over x (DL4J's Same mode). */
    static boolean isSameUpper(int[] pads, Act x, int[] kernel, int[] stride) {
        for (int d = 0; d < 2; d++) {
            long in = x.shape()[1 + d];
            long out = (in + stride[d] - 1) / stride[d];
            long total = Math.max(0, (out - 1) * stride[d] + kernel[d] - in);
            if (pads[d] != total / 2 || pads[d + 2] != total - total / 2) {
                return false;
            }
        }
        return true;
    }

    /** The span of a dilated kernel: dilation·(kernel − 1) + 1. */
    static long extent(int kernel, int dilation) {
        return (long) dilation * (kernel - 1) + 1;
    }

    /**
     * The output size of a window over {@code size} pixels padded by {@code padding} (total), refusing a window
     * that does not fit even once.
     */
    static long outputSize(OnnxNode n, long size, long padding, long extent, int stride, ConversionContext ctx) {
        if (size + padding < extent) {
            throw ctx.unsupported(n, "a " + extent + "-pixel window over " + size + " pixels"
                    + (padding > 0 ? " and " + padding + " of padding" : "") + " (a kernel larger than its input)");
        }
        return (size + padding - extent) / stride + 1;
    }
}
