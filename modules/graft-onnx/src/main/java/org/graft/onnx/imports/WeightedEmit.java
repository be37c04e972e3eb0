package org.graft.onnx.imports;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A layer with weights [.., out] and a bias [out]: activations, constant scales and shifts fold into it. */
abstract class WeightedEmit extends Emit {
    INDArray bias;
    IActivation activation = new ActivationIdentity();

    WeightedEmit(String name, String input, INDArray bias) {
        super(name, input);
        this.bias = bias;
    }

    abstract long outputs();

    /** Multiplies output channel o by scale[o] (weights and bias). */
    abstract void scaleOutputs(INDArray scale);

    INDArray biasOrZeros() {
        if (bias == null) {
            bias = Nd4j.zeros(DataType.FLOAT, outputs());
        }
        return bias;
    }

    boolean identity() {
        return activation instanceof ActivationIdentity;
    }
}
