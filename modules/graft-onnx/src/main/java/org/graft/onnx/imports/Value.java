package org.graft.onnx.imports;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** What an ONNX tensor name stands for on the DL4J side while a graph is translated. */
sealed interface Value permits Value.Act, Value.ChannelsLast, Value.Const {

    /**
     * A tensor computed per image: the DL4J vertex producing it and its shape without the batch dimension
     * ([C,H,W] for feature maps, [N] for vectors). Bound shapes are checked ({@link ConversionContext#bind}), so
     * their sizes cannot overflow.
     */
    record Act(String vertex, long[] shape) implements Value {
        boolean spatial() {
            return shape.length == 3;
        }

        long channels() {
            return shape[0];
        }

        long size() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /**
     * A feature map with its channels moved last ([H, W, C] per image): an NHWC model's input, or what
     * Transpose(0, 2, 3, 1) makes of a map. DL4J holds it as {@code map}; only a channels-last DL4J graph holds it
     * in this order, which is what makes flattening it (H, W, C order) one DL4J preprocessor.
     */
    record ChannelsLast(Act map) implements Value {
    }

    /** A tensor known when converting: a weight, or a constant such as a shape or padding. */
    record Const(INDArray array) implements Value {
    }
}
