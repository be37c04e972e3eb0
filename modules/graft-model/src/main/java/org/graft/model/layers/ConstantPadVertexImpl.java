package org.graft.model.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Runtime side of {@link ConstantPadVertex} (NCHW). */
class ConstantPadVertexImpl extends ParameterFreeVertexImpl {
    private final ConstantPadVertex conf;

    ConstantPadVertexImpl(ComputationGraph graph, String name, int index, ConstantPadVertex conf, DataType dataType) {
        super(graph, name, index, dataType);
        this.conf = conf;
    }

    /** Where the input sits inside the padded output. */
    private INDArrayIndex[] interior(INDArray in) {
        return new INDArrayIndex[]{NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(conf.getTop(), conf.getTop() + in.size(2)),
                NDArrayIndex.interval(conf.getLeft(), conf.getLeft() + in.size(3))};
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = inputs[0];
        long[] shape = {x.size(0), x.size(1), x.size(2) + conf.getTop() + conf.getBottom(),
                x.size(3) + conf.getLeft() + conf.getRight()};
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            INDArray out = Nd4j.valueArrayOf(shape, conf.getValue(), x.dataType());
            out.get(interior(x)).assign(x);
            return out;
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            return new Pair<>(null, new INDArray[]{epsilon.get(interior(inputs[0])).dup()});
        }
    }
}
