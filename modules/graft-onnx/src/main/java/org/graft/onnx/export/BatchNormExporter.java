package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.Map;

/**
 * BatchNormalization → BatchNormalization (inference). Its configured activation is not written: DL4J never
 * applies it (the default is the network default, sigmoid), so an export that honoured it would be wrong.
 */
final class BatchNormExporter {
    private BatchNormExporter() {
    }

    static String export(String vertex, BatchNormalization bn, String x, ExportContext ctx) {
        Map<String, INDArray> p = ctx.params(vertex);
        long c = bn.getNOut();
        INDArray gamma = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[]{c}, bn.getGamma(), DataType.FLOAT)
                : p.get("gamma");
        INDArray beta = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[]{c}, bn.getBeta(), DataType.FLOAT)
                : p.get("beta");
        INDArray var = bn.isUseLogStd()
                // DL4J keeps log10(sqrt(var + eps)); ONNX wants var, and adds eps itself
                ? Transforms.pow(Nd4j.valueArrayOf(p.get("log10stdev").shape(), 10.0, DataType.FLOAT),
                p.get("log10stdev").castTo(DataType.FLOAT).mul(2), false).subi(bn.getEps())
                : p.get("var");
        OnnxGraphWriter out = ctx.out();
        return out.node("BatchNormalization", List.of(x, out.constant(gamma.reshape(c)), out.constant(beta.reshape(c)),
                out.constant(p.get("mean").reshape(c)), out.constant(var.reshape(c))),
                Map.of("epsilon", (float) bn.getEps()));
    }
}
