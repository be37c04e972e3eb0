package org.graft.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What Graft's runtime vertices share: no layer, no parameters, masks passed through. */
abstract class ParameterFreeVertexImpl extends BaseGraphVertex {

    ParameterFreeVertexImpl(ComputationGraph graph, String name, int index, DataType dataType) {
        super(graph, name, index, null, null, dataType);
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        if (view != null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState state, int minibatch) {
        return maskArrays == null || maskArrays.length == 0 ? null : new Pair<>(maskArrays[0], state);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + vertexName + ")";
    }
}
