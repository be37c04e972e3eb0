package org.graft.onnx.imports;

import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/** Gemm with constant B (and C): a dense layer, alpha and beta folded into its weights and bias. */
final class GemmConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        if (n.getInt("transA", 0) != 0) {
            throw ctx.unsupported(n, "transA=1 (the batch must be the first dimension of A)");
        }
        ctx.requireInputs(n, 2);
        Act x = DenseLayers.vectorInput(n, ctx);
        INDArray b = ctx.floats(n, 1, "weights");
        if (b.rank() != 2) {
            throw ctx.unsupported(n, "weights of shape " + Arrays.toString(b.shape()));
        }
        INDArray weight = (n.getInt("transB", 0) == 1 ? b.transpose() : b).dup('c')
                .muli(n.getFloat("alpha", 1f));
        long out = weight.size(1);
        INDArray bias = Nd4j.zeros(DataType.FLOAT, out);
        if (n.inputCount() > 2) {
            INDArray c = ctx.constant(n, 2, "bias");
            if (c.length() != out && c.length() != 1) {
                throw ctx.unsupported(n, "bias C of shape " + Arrays.toString(c.shape()));
            }
            INDArray scaled = c.castTo(DataType.FLOAT).reshape(c.length()).mul(n.getFloat("beta", 1f));
            bias.addi(c.length() == 1 ? Nd4j.valueArrayOf(new long[]{out}, scaled.getFloat(0)) : scaled);
        }
        DenseLayers.dense(n, x, weight, bias, ctx);
    }
}
