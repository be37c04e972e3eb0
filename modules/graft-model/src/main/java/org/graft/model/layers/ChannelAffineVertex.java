package org.graft.model.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * A fixed per-channel affine map {@code y = x * scale[c] + offset[c]}, with no trainable parameters.
 *
 * <p>This is what Keras' {@code Rescaling} (scalar or per-channel) and {@code Normalization}
 * ({@code (x - mean) / sqrt(variance)}) layers compute; DL4J 1.0.0-M2.1 has neither. A single value applies to
 * every channel. Serialised with the model's configuration (plain numbers, no Java serialization).
 */
public class ChannelAffineVertex extends UnaryParameterFreeVertex {
    private double[] scale;
    private double[] offset;
    private boolean channelsLast;

    public ChannelAffineVertex(@JsonProperty("scale") double[] scale, @JsonProperty("offset") double[] offset,
                               @JsonProperty("channelsLast") boolean channelsLast) {
        this.scale = scale.clone();
        this.offset = offset.clone();
        this.channelsLast = channelsLast;
    }

    public double[] getScale() {
        return scale.clone();
    }

    public double[] getOffset() {
        return offset.clone();
    }

    public boolean isChannelsLast() {
        return channelsLast;
    }

    /** Sets the values once they are known (a Keras Normalization layer's statistics arrive with its weights). */
    public void setValues(double[] scale, double[] offset) {
        this.scale = scale.clone();
        this.offset = offset.clone();
    }

    @Override
    public ChannelAffineVertex clone() {
        return new ChannelAffineVertex(scale, offset, channelsLast);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelAffineVertex v && Arrays.equals(scale, v.scale) && Arrays.equals(offset, v.offset)
                && channelsLast == v.channelsLast;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scale) + Arrays.hashCode(offset) + (channelsLast ? 1 : 0);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new ChannelAffineVertexImpl(graph, name, idx, scale, offset, channelsLast, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public String toString() {
        return "ChannelAffineVertex(scale=" + Arrays.toString(scale) + ", offset=" + Arrays.toString(offset) + ")";
    }
}
