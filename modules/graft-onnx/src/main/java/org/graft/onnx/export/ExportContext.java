package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.UnsupportedModelException;
import org.graft.onnx.OnnxActivations;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * What the exporters share while one DL4J graph is written: the graph and its activation types, the ONNX graph
 * being written ({@link #out()}), and the refusals, which name the vertex.
 */
final class ExportContext {
    static final String USE_DL4J = "Use the DL4J engine (--engine dl4j) for this model.";

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final Map<String, InputType> types;
    private final OnnxGraphWriter out = new OnnxGraphWriter();

    ExportContext(ComputationGraph graph, InputType inputType) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        this.types = conf.getLayerActivationTypes(inputType);
    }

    OnnxGraphWriter out() {
        return out;
    }

    /** The vertex's parameters by key (W, b, gamma, ...). */
    Map<String, INDArray> params(String vertex) {
        return graph.getVertex(vertex).paramTable(false);
    }

    /** The DL4J activation type of a vertex's output. */
    InputType typeOf(String vertex) {
        return types.get(vertex);
    }

    /** a(x) as ONNX nodes, by the shared activation table; x itself for the identity. */
    String activation(String vertex, String x, IActivation a) {
        if (OnnxActivations.isIdentity(a)) {
            return x;
        }
        OnnxActivations.Form form = OnnxActivations.toOnnx(a).orElseThrow(() -> unsupported(vertex,
                "the activation " + OnnxActivations.describe(a)));
        String y;
        if (form.op().equals("Clip")) {
            // Clip's bounds are inputs at opset 17
            y = out.node("Clip", List.of(x, out.scalar((Float) form.attributes().get("min")),
                    out.scalar((Float) form.attributes().get("max"))), Map.of());
        } else {
            y = out.node(form.op(), List.of(x), form.attributes());
        }
        return form.gated() ? out.node("Mul", List.of(x, y), Map.of()) : y;
    }

    UnsupportedModelException unsupported(String vertex, String what) {
        return new UnsupportedModelException("Cannot export layer '" + vertex + "' to ONNX: " + what
                + " is not supported.", USE_DL4J);
    }
}
