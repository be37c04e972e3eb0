package org.graft.onnx.imports;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.DamagedFileException;
import org.graft.common.UnsupportedModelException;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.data.Preprocessing;
import org.graft.onnx.imports.Value.Act;
import org.graft.onnx.imports.Value.ChannelsLast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Translates one ONNX graph, node by node in its (topological) order, into a DL4J graph with the ONNX weights:
 * each node goes to the converter the {@link ConverterRegistry} holds for its op and the model's opset, which
 * works on the shared {@link ConversionContext}. Tensors are tracked with their per-image shape, which lets every
 * op be checked and every output size be known before DL4J sees the graph.
 */
final class OnnxGraphTranslator {
    private final Onnx.ModelProto model;
    private final String file;
    private final int[] requestedSize;
    private final long opset;
    private final ConverterRegistry registry;

    OnnxGraphTranslator(Onnx.ModelProto model, String file, int[] requestedSize, ConverterRegistry registry) {
        this.model = model;
        this.file = file;
        this.requestedSize = requestedSize;
        this.opset = OnnxFile.opset(model).orElseThrow();
        this.registry = registry;
    }

    OnnxModel translate() {
        Onnx.GraphProto graph = model.getGraph();
        List<OnnxNode> nodes = new ArrayList<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            nodes.add(new OnnxNode(graph.getNode(i), i, file));
        }
        checkSingleAssignment(graph, nodes);
        Map<String, Integer> opCounts = new TreeMap<>();
        nodes.forEach(n -> opCounts.merge(n.op(), 1, Integer::sum));
        List<OpConverter> converters = converters(nodes);
        GraftMetadata metadata = GraftMetadata.read(model, file);

        Map<String, Integer> consumers = consumers(graph, nodes);
        ConversionContext ctx = new ConversionContext(file, opset, String.join(", ", registry.supportedOps()),
                consumers, new GatedActivations(nodes, t -> consumers.getOrDefault(t, 0)));
        for (Onnx.TensorProto t : graph.getInitializerList()) {
            ctx.putConstant(t.getName(), OnnxTensors.toArray(t, file + " (initializer)"));
        }
        long[] input = new ImageInput(file, requestedSize).declare(graph, nodes, ctx);
        for (int i = 0; i < nodes.size(); i++) {
            if (!ctx.gates().absorbed(nodes.get(i))) { // a gate is converted with its Mul, as one activation
                converters.get(i).convert(nodes.get(i), ctx);
            }
        }
        List<String> outputs = outputs(graph, ctx);
        Preprocessing.Layout layout = ctx.channelsLast() ? Preprocessing.Layout.NHWC : Preprocessing.Layout.NCHW;
        metadata.check(input, layout, ctx.valueOf(graph.getOutput(0).getName()), file);
        ComputationGraph dl4j = new GraphAssembler(file, ctx).build(input, outputs);
        return new OnnxModel(dl4j, input, layout, featureVertex(ctx, outputs.get(0)), opset,
                (model.getProducerName() + " " + model.getProducerVersion()).trim(), opCounts, metadata.labels(),
                metadata.preprocessing());
    }

    /** Each node's converter; any node without one stops the conversion before any work, listing up to five. */
    private List<OpConverter> converters(List<OnnxNode> nodes) {
        List<OpConverter> converters = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (OnnxNode n : nodes) {
            boolean standard = n.domain().isEmpty() || n.domain().equals("ai.onnx");
            OpConverter c = standard ? registry.find(n.op(), opset).orElse(null) : null;
            if (c == null && unsupported.size() < 5) {
                unsupported.add(n.describe());
            }
            converters.add(c);
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedModelException(file + ": Graft cannot convert " + String.join(", ", unsupported)
                    + (unsupported.size() == 5 ? ", ..." : "") + ". Supported ONNX ops: "
                    + String.join(", ", registry.supportedOps()) + ".",
                    "Export image classifiers of convolutional layers (e.g. torchvision models with "
                            + "torch.onnx.export, opset 11 to 17), or simplify the graph first (onnx-simplifier).");
        }
        return converters;
    }

    /** ONNX graphs are in single-assignment form: no tensor is written twice, nor an input or weight overwritten. */
    private void checkSingleAssignment(Onnx.GraphProto graph, List<OnnxNode> nodes) {
        Set<String> written = new HashSet<>();
        graph.getInitializerList().forEach(t -> written.add(t.getName()));
        graph.getInputList().forEach(i -> written.add(i.getName()));
        for (OnnxNode n : nodes) {
            for (String out : n.outputs()) {
                if (!out.isEmpty() && !written.add(out)) {
                    throw new DamagedFileException(file + ": " + n.describe() + " writes '" + out + "', which the "
                            + "graph already holds.", OnnxFile.EXPORT_AGAIN);
                }
            }
        }
    }

    /** How many nodes (and graph outputs) read each tensor. */
    private static Map<String, Integer> consumers(Onnx.GraphProto graph, List<OnnxNode> nodes) {
        Map<String, Integer> consumers = new HashMap<>();
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.merge(in, 1, Integer::sum);
                }
            }
        }
        for (Onnx.ValueInfoProto o : graph.getOutputList()) {
            consumers.merge(o.getName(), 1, Integer::sum);
        }
        return consumers;
    }

    /**
     * The DL4J vertices of the graph's outputs: computed from the image, distinct, none the input itself. A
     * feature map comes out of the DL4J graph in its layout, so an NHWC model's maps must leave it channels-last.
     */
    private List<String> outputs(Onnx.GraphProto graph, ConversionContext ctx) {
        if (graph.getOutputCount() == 0) {
            throw new DamagedFileException(file + ": the graph declares no output.", OnnxFile.EXPORT_AGAIN);
        }
        List<String> outputs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Onnx.ValueInfoProto o : graph.getOutputList()) {
            if (ctx.valueOf(o.getName()) == null) {
                throw new DamagedFileException(file + ": the model output '" + o.getName() + "' is computed by no "
                        + "node.", OnnxFile.EXPORT_AGAIN);
            }
            Value value = ctx.valueOf(o.getName());
            if (value instanceof ChannelsLast c && ctx.channelsLast()) {
                value = c.map(); // the DL4J graph's own layout
            } else if (value instanceof ChannelsLast || value instanceof Act a && a.spatial() && ctx.channelsLast()) {
                throw new UnsupportedModelException(file + ": the model output '" + o.getName() + "' is a feature "
                        + "map in " + (ctx.channelsLast() ? "NCHW, from a model that takes NHWC images"
                        : "NHWC, from a model that takes NCHW images") + "; the DL4J graph gives its maps in the "
                        + "input's layout.", "Export the model with its logits or probabilities as output.");
            }
            if (!(value instanceof Act act)) {
                throw new UnsupportedModelException(file + ": the model output '" + o.getName()
                        + "' is not computed from the image.", "Export the model with its image input.");
            }
            if (act.vertex().equals(ctx.inputVertex()) || !seen.add(act.vertex())) {
                throw new UnsupportedModelException(file + ": the model output '" + o.getName() + "' is "
                        + (act.vertex().equals(ctx.inputVertex()) ? "its input" : "another output") + " unchanged.",
                        "Export the model with one output, its logits or probabilities.");
            }
            outputs.add(act.vertex());
        }
        return outputs;
    }

    /**
     * The input of the model's classifier: walking back from the output over parameter-free vertices (activations,
     * pooling, flattening) to the last layer with weights, and taking that layer's input.
     */
    private static String featureVertex(ConversionContext ctx, String output) {
        String v = output;
        while (true) {
            Emit e = ctx.emitted(v);
            if (e == null || e.inputs.length != 1) {
                return null;
            }
            if (e instanceof WeightedEmit || (e instanceof LayerEmit l && l.layer instanceof BatchNormalization)) {
                return e.inputs[0].equals(ctx.inputVertex()) ? null : e.inputs[0];
            }
            v = e.inputs[0];
        }
    }
}
