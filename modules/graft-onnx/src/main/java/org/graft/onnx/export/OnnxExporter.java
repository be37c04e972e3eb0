package org.graft.onnx.export;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.GraftException;
import org.graft.common.UnexpectedFailure;
import org.graft.common.UnsupportedModelException;
import org.graft.data.Preprocessing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a DL4J {@link ComputationGraph} as an ONNX model (opset 17), so that ONNX Runtime can run it (Graft's
 * faster inference engine) or another tool can deploy it ({@code graft export --format onnx}).
 *
 * <p>The ONNX graph takes the same tensor as the DL4J graph (NCHW, or NHWC for Keras imports) and produces the
 * same output, a feature map in the DL4J graph's layout too (probes are NCHW). Internally everything runs NCHW, ONNX's own layout: an NHWC input is transposed once at the start,
 * and the few operations whose meaning depends on the layout (flattening a feature map, reshaping a vector into
 * one) are written accordingly. Each layer, vertex and preprocessor goes to the exporter {@link ExportRegistry}
 * holds for its class, activations by the shared table {@code OnnxActivations}; anything else is refused with the
 * layer's name ({@link UnsupportedModelException}). Any other exception is a bug, reported as an
 * {@link UnexpectedFailure} naming the vertex being written.
 */
public final class OnnxExporter {
    public static final int OPSET = 17;

    private final ComputationGraphConfiguration conf;
    private final InputType inputType;
    private final ExportContext ctx;
    /** DL4J vertex name → the ONNX tensor holding its output (NCHW inside the graph). */
    private final Map<String, String> tensors = new HashMap<>();
    private String current = "the graph";

    private OnnxExporter(ComputationGraph graph, InputType inputType) {
        this.conf = graph.getConfiguration();
        this.inputType = inputType;
        this.ctx = new ExportContext(graph, inputType);
    }

    /**
     * The graph as an ONNX model. {@code preprocessing} gives the input's layout and image size; {@code metadata}
     * goes into the model's metadata_props (Graft writes its labels and preprocessing there).
     */
    public static Onnx.ModelProto export(ComputationGraph graph, Preprocessing preprocessing,
                                         Map<String, String> metadata) {
        boolean nhwc = preprocessing.layout() == Preprocessing.Layout.NHWC;
        return export(graph, InputType.convolutional(preprocessing.cropHeight(), preprocessing.cropWidth(),
                preprocessing.channels(), nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW), metadata);
    }

    /** The same for any input: a feature map (either layout) or a vector. */
    public static Onnx.ModelProto export(ComputationGraph graph, InputType inputType, Map<String, String> metadata) {
        return exportWithProbes(graph, inputType, metadata, List.of());
    }

    /**
     * With every vertex in {@code probes} as an extra output (NCHW), named "probe_" + vertex: for finding where two
     * engines part.
     */
    public static Onnx.ModelProto exportWithProbes(ComputationGraph graph, InputType inputType,
                                                   Map<String, String> metadata, List<String> probes) {
        OnnxExporter e;
        try {
            e = new OnnxExporter(graph, inputType);
        } catch (RuntimeException ex) {
            throw new UnexpectedFailure("the ONNX export of the graph", ex);
        }
        Onnx.GraphProto onnxGraph;
        try {
            onnxGraph = e.build(probes);
        } catch (GraftException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw new UnexpectedFailure("the ONNX export of " + e.current, ex);
        }
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("graft")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(onnxGraph);
        metadata.forEach((k, v) -> model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k)
                .setValue(v)));
        return model.build();
    }

    private Onnx.GraphProto build(List<String> probes) {
        if (conf.getNetworkInputs().size() != 1) {
            throw new UnsupportedModelException("Only graphs with one input can be exported to ONNX; this one has "
                    + conf.getNetworkInputs().size() + ".", ExportContext.USE_DL4J);
        }
        OnnxGraphWriter out = ctx.out();
        String input = conf.getNetworkInputs().get(0);
        boolean nhwc = inputType instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC;
        if (inputType instanceof InputType.InputTypeConvolutional c) {
            out.addInput(input, nhwc ? new long[]{-1, c.getHeight(), c.getWidth(), c.getChannels()}
                    : new long[]{-1, c.getChannels(), c.getHeight(), c.getWidth()});
        } else {
            out.addInput(input, new long[]{-1, inputType.arrayElementsPerExample()});
        }
        tensors.put(input, nhwc ? out.node("Transpose", List.of(input), Map.of("perm", new long[]{0, 3, 1, 2}))
                : input);
        for (String name : conf.getTopologicalOrderStr()) {
            if (!tensors.containsKey(name)) {
                current = "vertex '" + name + "'";
                tensors.put(name, vertex(name));
            }
        }
        current = "the graph's outputs";
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        outputs.addAll(probes);
        for (String o : outputs) {
            boolean networkOutput = conf.getNetworkOutputs().contains(o);
            String outName = (networkOutput ? "output_" : "probe_") + o;
            InputType t = ctx.typeOf(o);
            // a feature map leaves in the DL4J graph's own layout (a trunk's output feeds DL4J layers again)
            boolean nhwcOut = networkOutput && t instanceof InputType.InputTypeConvolutional c
                    && c.getFormat() == CNN2DFormat.NHWC;
            String tensor = nhwcOut ? out.node("Transpose", List.of(tensors.get(o)),
                    Map.of("perm", new long[]{0, 2, 3, 1})) : tensors.get(o);
            out.node("Identity", List.of(tensor), Map.of(), outName);
            out.addOutput(outName, t instanceof InputType.InputTypeConvolutional c
                    ? nhwcOut ? new long[]{-1, c.getHeight(), c.getWidth(), c.getChannels()}
                    : new long[]{-1, c.getChannels(), c.getHeight(), c.getWidth()}
                    : new long[]{-1, t.arrayElementsPerExample()});
        }
        return out.build();
    }

    /** Writes one vertex; returns the tensor holding its output. */
    private String vertex(String name) {
        GraphVertex v = conf.getVertices().get(name);
        if (v instanceof FrozenVertex f) {
            v = f.getUnderlying();
        }
        List<String> in = conf.getVertexInputs().get(name).stream().map(tensors::get).toList();
        if (v instanceof LayerVertex lv) {
            String x = in.get(0);
            if (lv.getPreProcessor() != null) {
                x = preprocess(name, lv.getPreProcessor(), x);
            }
            Layer layer = unwrap(lv.getLayerConf().getLayer());
            return ExportRegistry.layer(layer).orElseThrow(() -> ctx.unsupported(name,
                    layer.getClass().getSimpleName())).export(name, layer, x, ctx);
        }
        if (v instanceof PreprocessorVertex p) {
            return preprocess(name, p.getPreProcessor(), in.get(0));
        }
        GraphVertex vertex = v;
        return ExportRegistry.vertex(vertex).orElseThrow(() -> ctx.unsupported(name,
                vertex.getClass().getSimpleName())).export(name, vertex, in, ctx);
    }

    private String preprocess(String name, InputPreProcessor pre, String x) {
        return ExportRegistry.preprocessor(pre).orElseThrow(() -> ctx.unsupported(name,
                "input preprocessor " + pre.getClass().getSimpleName())).export(name, pre, x, ctx);
    }

    private static Layer unwrap(Layer layer) {
        if (layer instanceof FrozenLayer f) {
            return unwrap(f.getLayer());
        }
        if (layer instanceof FrozenLayerWithBackprop f) {
            return unwrap(f.getUnderlying());
        }
        return layer;
    }
}
