package org.graft.model.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Runtime side of {@link ChannelSliceVertex} (NCHW). */
class ChannelSliceVertexImpl extends ParameterFreeVertexImpl {
    private final int from;
    private final int to;

    ChannelSliceVertexImpl(ComputationGraph graph, String name, int index, int from, int to, DataType dataType) {
        super(graph, name, index, dataType);
        this.from = from;
        this.to = to;
    }

    private INDArrayIndex[] slice() {
        return new INDArrayIndex[]{NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(),
                NDArrayIndex.all()};
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            return inputs[0].get(slice()).dup('c');
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            INDArray grad = inputs[0].ulike().assign(0);
            grad.get(slice()).assign(epsilon);
            return new Pair<>(null, new INDArray[]{grad});
        }
    }
}
