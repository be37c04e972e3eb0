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

/** Runtime side of {@link ChannelAffineVertex}. */
class ChannelAffineVertexImpl extends ParameterFreeVertexImpl {
    private final double[] scale;
    private final double[] offset;
    private final boolean channelsLast;

    ChannelAffineVertexImpl(ComputationGraph graph, String name, int index, double[] scale, double[] offset,
                            boolean channelsLast, DataType dataType) {
        super(graph, name, index, dataType);
        this.scale = scale;
        this.offset = offset;
        this.channelsLast = channelsLast;
    }

    /** The values shaped to broadcast over a batch: [1,1,1,C] (NHWC), [1,C,1,1] (NCHW) or [1,C] (vectors). */
    private INDArray broadcastable(double[] values, INDArray like) {
        INDArray v = Nd4j.createFromArray(values).castTo(like.dataType());
        if (values.length == 1) {
            return v.reshape(onesShape(like.rank()));
        }
        long[] shape = onesShape(like.rank());
        int axis = like.rank() == 4 ? (channelsLast ? 3 : 1) : like.rank() - 1;
        shape[axis] = values.length;
        return v.reshape(shape);
    }

    private static long[] onesShape(int rank) {
        long[] s = new long[rank];
        java.util.Arrays.fill(s, 1);
        return s;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = inputs[0];
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            return x.mul(broadcastable(scale, x)).addi(broadcastable(offset, x));
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            return new Pair<>(null, new INDArray[]{epsilon.mul(broadcastable(scale, epsilon))});
        }
    }
}
