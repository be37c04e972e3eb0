package org.graft.onnx.imports;

import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** What Gemm and MatMul share: a vector input and an open dense layer ({@link DenseEmit}). */
final class DenseLayers {
    private DenseLayers() {
    }

    static Act vectorInput(OnnxNode n, ConversionContext ctx) {
        Act x = ctx.act(n, 0);
        if (x.spatial()) {
            throw ctx.unsupported(n, "a " + Arrays.toString(x.shape()) + " feature map as input (flatten it first)");
        }
        return x;
    }

    /** Weights [in, out] (a copy the layer may change), bias [out] or null. */
    static void dense(OnnxNode n, Act x, INDArray weight, INDArray bias, ConversionContext ctx) {
        if (weight.size(0) != x.size()) {
            throw ctx.unsupported(n, "weights " + Arrays.toString(weight.shape()) + " on " + x.size() + " inputs");
        }
        String name = ctx.unique(n.name());
        ctx.emit(new DenseEmit(name, x.vertex(), weight.castTo(DataType.FLOAT), bias));
        ctx.bind(n.output(), new Act(name, new long[]{weight.size(1)}));
    }
}
