package org.graft.model.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * ONNX's {@code Clip} with bounds other than DL4J's fixed RELU6 (0..6) and HARDTANH (-1..1):
 * {@code min(max(x, min), max)}.
 */
public class ClipActivation extends BaseActivationFunction {
    private final double min;
    private final double max;

    public ClipActivation(@JsonProperty("min") double min, @JsonProperty("max") double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("Clip needs min <= max, got " + min + " > " + max);
        }
        this.min = min;
        this.max = max;
    }

    public double getMin() {
        return min;
    }

    public double getMax() {
        return max;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return Transforms.min(Transforms.max(in, min, false), max, false);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray inside = in.gt(min).castTo(in.dataType()).muli(in.lt(max).castTo(in.dataType()));
        return new Pair<>(epsilon.mul(inside), null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClipActivation c && c.min == min && c.max == max;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(min) * 31 + Double.hashCode(max);
    }

    @Override
    public String toString() {
        return "clip(" + min + ", " + max + ")";
    }
}
