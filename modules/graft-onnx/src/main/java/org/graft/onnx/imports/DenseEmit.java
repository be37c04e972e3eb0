package org.graft.onnx.imports;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A dense layer with DL4J-layout weights [in, out] (its own copy: folding changes it). */
final class DenseEmit extends WeightedEmit {
    final INDArray weight;

    DenseEmit(String name, String input, INDArray weight, INDArray bias) {
        super(name, input, bias);
        this.weight = weight;
    }

    @Override
    long outputs() {
        return weight.size(1);
    }

    @Override
    void scaleOutputs(INDArray scale) {
        weight.muli(scale.reshape(1, outputs()));
        if (bias != null) {
            bias.muli(scale);
        }
    }
}
