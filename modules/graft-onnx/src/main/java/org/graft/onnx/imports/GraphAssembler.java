package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.model.layers.ChannelSliceVertex;
import org.graft.onnx.DepthwiseWeights;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the DL4J graph from the translated vertices and loads the weights. Vertices no output depends on (dead
 * ONNX nodes, legal in ONNX) are left out, since DL4J refuses disconnected vertices. Grouped convolutions that are
 * not depthwise become one convolution per group on a {@link ChannelSliceVertex} of the channels, joined by a
 * MergeVertex (DL4J's SubsetVertex gets the channel count of its output wrong).
 */
final class GraphAssembler {
    private static final Logger log = LoggerFactory.getLogger(GraphAssembler.class);

    private final String file;
    private final ConversionContext ctx;
    private final Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();

    GraphAssembler(String file, ConversionContext ctx) {
        this.file = file;
        this.ctx = ctx;
    }

    ComputationGraph build(long[] input, List<String> outputs) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(0)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs(ctx.inputVertex())
                .setInputTypes(input.length == 3 ? InputType.convolutional(input[1], input[2], input[0],
                        ctx.format()) : InputType.feedForward(input[0]));
        Set<String> live = live(outputs);
        for (Emit e : ctx.emits().values()) {
            if (!live.contains(e.name)) {
                continue;
            }
            if (e instanceof LayerEmit l) {
                gb.addLayer(l.name, l.layer, l.inputs);
                if (!l.params.isEmpty()) {
                    params.put(l.name, l.params);
                }
            } else if (e instanceof VertexEmit v) {
                gb.addVertex(v.name, v.vertex, v.inputs);
            } else if (e instanceof DenseEmit d) {
                gb.addLayer(d.name, new DenseLayer.Builder().nIn(d.weight.size(0)).nOut(d.outputs())
                        .activation(d.activation).hasBias(true).build(), d.inputs);
                params.put(d.name, Map.of("W", d.weight, "b", d.biasOrZeros()));
            } else if (e instanceof ConvEmit c) {
                addConvolution(gb, c);
            }
        }
        if (live.size() < ctx.emits().size()) {
            log.info("{}: {} vertices no output depends on were left out", file, ctx.emits().size() - live.size());
        }
        gb.setOutputs(outputs.toArray(String[]::new));
        ComputationGraph graph = new ComputationGraph(gb.build());
        graph.init();
        params.forEach((layer, p) -> p.forEach((key, value) -> {
            INDArray target = graph.getLayer(layer).getParam(key);
            if (target.length() != value.length()) {
                throw new IllegalStateException(layer + "." + key + ": " + Arrays.toString(value.shape())
                        + " does not fit " + Arrays.toString(target.shape()));
            }
            target.assign(value.castTo(target.dataType()).reshape(target.shape()));
        }));
        return graph;
    }

    /** The vertices the outputs depend on. */
    private Set<String> live(List<String> outputs) {
        Set<String> live = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(outputs);
        while (!todo.isEmpty()) {
            String v = todo.pop();
            Emit e = ctx.emitted(v);
            if (e != null && live.add(v)) {
                todo.addAll(Arrays.asList(e.inputs));
            }
        }
        return live;
    }

    private void addConvolution(ComputationGraphConfiguration.GraphBuilder gb, ConvEmit c) {
        long out = c.outputs();
        boolean bias = c.bias != null;
        Window w = c.window;
        if (c.group == 1) {
            gb.addLayer(c.name, convLayer(c, c.inChannels, out), c.inputs);
            params.put(c.name, weightsAndBias(c.weight, c.bias));
        } else if (c.group == c.inChannels) {
            Layer layer = new DepthwiseConvolution2D.Builder(w.kernel()[0], w.kernel()[1])
                    .stride(w.stride()).padding(w.padding()).dilation(w.dilation())
                    .nIn(c.inChannels).depthMultiplier((int) (out / c.inChannels)).nOut(out)
                    .hasBias(bias).activation(c.activation).convolutionMode(ConvolutionMode.Truncate)
                    .dataFormat(ctx.format()).build();
            gb.addLayer(c.name, layer, c.inputs);
            params.put(c.name, weightsAndBias(DepthwiseWeights.toDl4j(c.weight, c.inChannels), c.bias));
        } else {
            // grouped: one convolution per group on its slice of the channels, joined again
            long inPer = c.inChannels / c.group;
            long outPer = out / c.group;
            String[] parts = c.parts;
            for (int g = 0; g < c.group; g++) {
                String slice = c.slices[g];
                gb.addVertex(slice, new ChannelSliceVertex((int) (g * inPer), (int) ((g + 1) * inPer)), c.inputs);
                gb.addLayer(parts[g], convLayer(c, inPer, outPer), slice);
                INDArray weight = c.weight.get(NDArrayIndex.interval(g * outPer, (g + 1) * outPer)).dup('c');
                INDArray b = bias ? c.bias.get(NDArrayIndex.interval(g * outPer, (g + 1) * outPer)).dup() : null;
                params.put(parts[g], weightsAndBias(weight, b));
            }
            gb.addVertex(c.name, new MergeVertex(), parts);
        }
    }

    private Layer convLayer(ConvEmit c, long in, long out) {
        Window w = c.window;
        return new ConvolutionLayer.Builder(w.kernel()[0], w.kernel()[1])
                .stride(w.stride()).padding(w.padding()).dilation(w.dilation())
                .nIn(in).nOut(out).hasBias(c.bias != null).activation(c.activation)
                .convolutionMode(ConvolutionMode.Truncate).dataFormat(ctx.format()).build();
    }

    private static Map<String, INDArray> weightsAndBias(INDArray w, INDArray b) {
        return b == null ? Map.of("W", w) : Map.of("W", w, "b", b);
    }
}
