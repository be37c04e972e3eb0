package org.graft.model.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Runtime side of {@link BroadcastMultiplyVertex}. */
class BroadcastMultiplyVertexImpl extends ParameterFreeVertexImpl {

    BroadcastMultiplyVertexImpl(ComputationGraph graph, String name, int index, DataType dataType) {
        super(graph, name, index, dataType);
    }

    private int fullIndex() {
        return inputs[0].length() >= inputs[1].length() ? 0 : 1;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        int full = fullIndex();
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            return inputs[full].mul(inputs[1 - full]);
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        int full = fullIndex();
        INDArray big = inputs[full];
        INDArray small = inputs[1 - full];
        // the dimensions along which the small input was broadcast are summed in its gradient
        int[] broadcastDims = IntStream.range(0, big.rank())
                .filter(d -> small.size(d) == 1 && big.size(d) != 1).toArray();
        INDArray[] grads = new INDArray[2];
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            grads[full] = epsilon.mul(small);
            INDArray gSmall = epsilon.mul(big);
            INDArray summed = broadcastDims.length == 0 ? gSmall : gSmall.sum(true, broadcastDims);
            grads[1 - full] = Arrays.equals(summed.shape(), small.shape()) ? summed : summed.reshape(small.shape());
        }
        return new Pair<>(null, grads);
    }
}
