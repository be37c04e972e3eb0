package org.graft.onnx.imports;

import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** MatMul of a [batch, n] tensor by a constant matrix: a dense layer (a following Add of a bias folds in). */
final class MatMulConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 2);
        Act x = DenseLayers.vectorInput(n, ctx);
        INDArray w = ctx.floats(n, 1, "weights");
        if (w.rank() != 2) {
            throw ctx.unsupported(n, "a matrix product with " + Arrays.toString(w.shape()));
        }
        DenseLayers.dense(n, x, w.dup('c'), null, ctx);
    }
}
