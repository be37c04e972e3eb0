package org.graft.model.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element-wise product of two inputs where one may broadcast over the other: the squeeze-and-excitation
 * {@code Multiply} of a feature map [N,H,W,C] by channel weights [N,1,1,C]. DL4J's own ElementWiseVertex rejects
 * such shapes when the graph is set up (though its runtime would broadcast).
 */
public class BroadcastMultiplyVertex extends ParameterFreeVertex {

    @Override
    public BroadcastMultiplyVertex clone() {
        return new BroadcastMultiplyVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BroadcastMultiplyVertex;
    }

    @Override
    public int hashCode() {
        return 0x5e5e;
    }


    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new BroadcastMultiplyVertexImpl(graph, name, idx, networkDatatype);
    }

    /** The larger of the two inputs (the one the other broadcasts over). */
    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0].arrayElementsPerExample() >= vertexInputs[1].arrayElementsPerExample()
                ? vertexInputs[0] : vertexInputs[1];
    }


    @Override
    public String toString() {
        return "BroadcastMultiplyVertex()";
    }
}
