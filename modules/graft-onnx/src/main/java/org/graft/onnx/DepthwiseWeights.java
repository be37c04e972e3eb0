package org.graft.onnx;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one definition of the depthwise-convolution weight layouts, used by import and export. ONNX writes a
 * depthwise convolution (group = input channels, depth multiplier m) as [C·m, 1, kH, kW] with output channel
 * c·m + j; DL4J's {@code DepthwiseConvolution2D} keeps [kH, kW, C, m], the same channel order.
 */
public final class DepthwiseWeights {
    private DepthwiseWeights() {
    }

    /** ONNX [C·m, 1, kH, kW] → DL4J [kH, kW, C, m], for {@code channels} = C input channels. */
    public static INDArray toDl4j(INDArray onnx, long channels) {
        long m = onnx.size(0) / channels;
        return onnx.reshape(channels, m, onnx.size(2), onnx.size(3)).permute(2, 3, 0, 1).dup('c');
    }

    /** DL4J [kH, kW, C, m] → ONNX [C·m, 1, kH, kW]. */
    public static INDArray toOnnx(INDArray dl4j) {
        long c = dl4j.size(2);
        long m = dl4j.size(3);
        return dl4j.permute(2, 3, 0, 1).dup('c').reshape(c * m, 1, dl4j.size(0), dl4j.size(1));
    }
}
