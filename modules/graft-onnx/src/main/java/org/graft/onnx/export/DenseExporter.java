package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** DenseLayer and OutputLayer → Gemm (weights [in, out], as DL4J keeps them), then the activation. */
final class DenseExporter {
    private DenseExporter() {
    }

    static String export(String vertex, BaseLayer dense, String x, ExportContext ctx) {
        Map<String, INDArray> p = ctx.params(vertex);
        OnnxGraphWriter out = ctx.out();
        INDArray b = p.get("b");
        List<String> inputs = b == null ? List.of(x, out.constant(p.get("W")))
                : List.of(x, out.constant(p.get("W")), out.constant(b.reshape(b.length())));
        return ctx.activation(vertex, out.node("Gemm", inputs, Map.of()), dense.getActivationFn());
    }
}
