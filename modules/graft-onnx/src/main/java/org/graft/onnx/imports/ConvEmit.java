package org.graft.onnx.imports;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A convolution with ONNX-layout weights [out, in/group, kH, kW] (its own copy: folding changes it). */
final class ConvEmit extends WeightedEmit {
    final INDArray weight;
    final int group;
    final long inChannels;
    final Window window;
    /** For a grouped (not depthwise) convolution: each group's channel slice and convolution vertex. */
    final String[] slices;
    final String[] parts;

    ConvEmit(String name, String input, INDArray weight, INDArray bias, int group, long inChannels, Window window,
             String[] slices, String[] parts) {
        super(name, input, bias);
        this.weight = weight;
        this.group = group;
        this.inChannels = inChannels;
        this.window = window;
        this.slices = slices;
        this.parts = parts;
    }

    @Override
    long outputs() {
        return weight.size(0);
    }

    @Override
    void scaleOutputs(INDArray scale) {
        weight.muli(scale.reshape(outputs(), 1, 1, 1));
        if (bias != null) {
            bias.muli(scale);
        }
    }
}
