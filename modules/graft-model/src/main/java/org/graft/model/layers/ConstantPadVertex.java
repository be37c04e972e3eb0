package org.graft.model.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Pads an NCHW feature map with a constant, possibly a different amount on each side. DL4J's ZeroPaddingLayer pads
 * with zeros only; max pooling over padding needs the padding to lose every comparison (ONNX and PyTorch pad with
 * minus infinity), so the ONNX converter pads with {@link #MAX_POOL_PAD} and pools without padding.
 */
public class ConstantPadVertex extends UnaryParameterFreeVertex {
    /** Stands in for minus infinity: finite, so gradients stay finite, and below any activation. */
    public static final double MAX_POOL_PAD = -Float.MAX_VALUE;

    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private final double value;

    public ConstantPadVertex(@JsonProperty("top") int top, @JsonProperty("bottom") int bottom,
                             @JsonProperty("left") int left, @JsonProperty("right") int right,
                             @JsonProperty("value") double value) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("negative padding");
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
        this.value = value;
    }

    public int getTop() {
        return top;
    }

    public int getBottom() {
        return bottom;
    }

    public int getLeft() {
        return left;
    }

    public int getRight() {
        return right;
    }

    public double getValue() {
        return value;
    }

    @Override
    public ConstantPadVertex clone() {
        return new ConstantPadVertex(top, bottom, left, right, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantPadVertex p && p.top == top && p.bottom == bottom && p.left == left
                && p.right == right && p.value == value;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(top, bottom, left, right, value);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new ConstantPadVertexImpl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException("ConstantPadVertex needs a feature map, got " + vertexInputs[0]);
        }
        return InputType.convolutional(c.getHeight() + top + bottom, c.getWidth() + left + right, c.getChannels(),
                c.getFormat());
    }

    @Override
    public String toString() {
        return "ConstantPadVertex(top=" + top + ", bottom=" + bottom + ", left=" + left + ", right=" + right
                + ", value=" + value + ")";
    }
}
