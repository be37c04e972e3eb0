package org.graft.model.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Channels {@code from} (inclusive) to {@code to} (exclusive) of an NCHW feature map: one group of a grouped
 * convolution. DL4J 1.0.0-M2.1's SubsetVertex computes its output channels for feature maps as from - to + 1, so
 * the layer after it is configured with no inputs.
 */
public class ChannelSliceVertex extends UnaryParameterFreeVertex {
    private final int from;
    private final int to;

    public ChannelSliceVertex(@JsonProperty("from") int from, @JsonProperty("to") int to) {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("bad channel range " + from + ".." + to);
        }
        this.from = from;
        this.to = to;
    }

    public int getFrom() {
        return from;
    }

    public int getTo() {
        return to;
    }

    @Override
    public ChannelSliceVertex clone() {
        return new ChannelSliceVertex(from, to);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelSliceVertex s && s.from == from && s.to == to;
    }

    @Override
    public int hashCode() {
        return 31 * from + to;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new ChannelSliceVertexImpl(graph, name, idx, from, to, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional c) || to > c.getChannels()) {
            throw new IllegalArgumentException("ChannelSliceVertex(" + from + ", " + to + ") cannot take "
                    + vertexInputs[0]);
        }
        return InputType.convolutional(c.getHeight(), c.getWidth(), to - from, c.getFormat());
    }

    @Override
    public String toString() {
        return "ChannelSliceVertex(" + from + ", " + to + ")";
    }
}
