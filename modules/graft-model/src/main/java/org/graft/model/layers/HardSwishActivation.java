package org.graft.model.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ONNX's {@code HardSwish} and PyTorch's {@code Hardswish} (MobileNet v3): {@code x * max(0, min(1, x / 6 + 0.5))}.
 * DL4J 1.0.0-M2.1 has no such activation.
 */
public class HardSwishActivation extends BaseActivationFunction {
    private static final HardSigmoidActivation GATE = new HardSigmoidActivation(1.0 / 6, 0.5);

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray gate = GATE.getActivation(in.dup(), training);
        return in.muli(gate);
    }

    /** d/dx [x * g(x)] = g(x) + x * g'(x), with g' = 1/6 inside the gate's linear region. */
    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray gate = GATE.getActivation(in.dup(), true);
        INDArray slope = GATE.linearRegion(in).muli(in).muli(1.0 / 6);
        return new Pair<>(epsilon.mul(gate.addi(slope)), null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardSwishActivation;
    }

    @Override
    public int hashCode() {
        return 0x4a5;
    }

    @Override
    public String toString() {
        return "hardswish";
    }
}
