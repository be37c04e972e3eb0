package org.graft.model.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * ONNX's {@code HardSigmoid}: {@code max(0, min(1, alpha * x + beta))}. DL4J's own HARDSIGMOID fixes
 * alpha = 0.2, while PyTorch's {@code Hardsigmoid} (MobileNet v3) uses alpha = 1/6.
 */
public class HardSigmoidActivation extends BaseActivationFunction {
    private final double alpha;
    private final double beta;

    public HardSigmoidActivation(@JsonProperty("alpha") double alpha, @JsonProperty("beta") double beta) {
        this.alpha = alpha;
        this.beta = beta;
    }

    public double getAlpha() {
        return alpha;
    }

    public double getBeta() {
        return beta;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return clip01(in.muli(alpha).addi(beta));
    }

    static INDArray clip01(INDArray x) {
        return Transforms.min(Transforms.max(x, 0.0, false), 1.0, false);
    }

    /** 1 where {@code alpha * x + beta} lies strictly inside (0, 1), else 0. */
    INDArray linearRegion(INDArray in) {
        INDArray z = in.mul(alpha).addi(beta);
        return z.gt(0.0).castTo(in.dataType()).muli(z.lt(1.0).castTo(in.dataType()));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        return new Pair<>(epsilon.mul(linearRegion(in)).muli(alpha), null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardSigmoidActivation h && h.alpha == alpha && h.beta == beta;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(alpha) * 31 + Double.hashCode(beta);
    }

    @Override
    public String toString() {
        return "hardsigmoid(alpha=" + alpha + ", beta=" + beta + ")";
    }
}
