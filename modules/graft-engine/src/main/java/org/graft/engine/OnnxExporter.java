package org.graft.engine;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.GraftException;
import org.graft.data.Preprocessing;
import org.graft.model.layers.BroadcastMultiplyVertex;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.model.layers.ChannelSliceVertex;
import org.graft.model.layers.ClipActivation;
import org.graft.model.layers.ConstantPadVertex;
import org.graft.model.layers.HardSigmoidActivation;
import org.graft.model.layers.HardSwishActivation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a DL4J {@link ComputationGraph} as an ONNX model (opset 17), so that ONNX Runtime can run it (Graft's
 * faster inference engine) or another tool can deploy it ({@code graft export --format onnx}).
 *
 * <p>The ONNX graph takes the same tensor as the DL4J graph (NCHW, or NHWC for Keras imports) and produces the
 * same output. Internally everything runs NCHW, ONNX's own layout: an NHWC input is transposed once at the start,
 * and the few operations whose meaning depends on the layout (flattening a feature map, reshaping a vector into
 * one) are written accordingly. It covers the layers and vertices that Graft's importers and head produce; anything
 * else is refused with the layer's name.
 */
public final class OnnxExporter {
    public static final int OPSET = 17;

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final InputType inputType;
    private final Onnx.GraphProto.Builder out = Onnx.GraphProto.newBuilder();
    /** DL4J vertex name → the ONNX tensor holding its output (NCHW inside the graph). */
    private final Map<String, String> tensors = new HashMap<>();
    private Map<String, InputType> types;
    private List<String> probes = List.of();
    private int counter;

    private OnnxExporter(ComputationGraph graph, InputType inputType) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        this.inputType = inputType;
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
        return export(graph, inputType, metadata, List.of());
    }

    /**
     * With every vertex in {@code probes} as an extra output (NCHW), named "probe_" + vertex: for finding where two
     * engines part.
     */
    static Onnx.ModelProto export(ComputationGraph graph, InputType inputType, Map<String, String> metadata,
                                  List<String> probes) {
        OnnxExporter e = new OnnxExporter(graph, inputType);
        e.probes = probes;
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("graft")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(e.build());
        metadata.forEach((k, v) -> model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k)
                .setValue(v)));
        return model.build();
    }

    private Onnx.GraphProto build() {
        if (conf.getNetworkInputs().size() != 1) {
            throw new GraftException("Only graphs with one input can be exported to ONNX.", null);
        }
        types = conf.getLayerActivationTypes(inputType);
        String input = conf.getNetworkInputs().get(0);
        out.setName("graft");
        boolean nhwc = false;
        if (inputType instanceof InputType.InputTypeConvolutional c) {
            nhwc = c.getFormat() == CNN2DFormat.NHWC;
            out.addInput(valueInfo(input, nhwc ? new long[]{-1, c.getHeight(), c.getWidth(), c.getChannels()}
                    : new long[]{-1, c.getChannels(), c.getHeight(), c.getWidth()}));
        } else {
            out.addInput(valueInfo(input, new long[]{-1, inputType.arrayElementsPerExample()}));
        }
        if (nhwc) {
            tensors.put(input, node("Transpose", List.of(input), Map.of("perm", new long[]{0, 3, 1, 2})));
        } else {
            tensors.put(input, input);
        }
        for (String name : conf.getTopologicalOrderStr()) {
            if (!tensors.containsKey(name)) {
                vertex(name);
            }
        }
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        outputs.addAll(probes);
        for (String o : outputs) {
            String result = tensors.get(o);
            String outName = (conf.getNetworkOutputs().contains(o) ? "output_" : "probe_") + o;
            node("Identity", List.of(result), Map.of(), outName);
            InputType t = types.get(o);
            out.addOutput(valueInfo(outName, t instanceof InputType.InputTypeConvolutional c
                    ? new long[]{-1, c.getChannels(), c.getHeight(), c.getWidth()}
                    : new long[]{-1, t.arrayElementsPerExample()}));
        }
        return out.build();
    }

    // ---------------------------------------------------------------------------------------------------------

    private void vertex(String name) {
        GraphVertex v = conf.getVertices().get(name);
        if (v instanceof FrozenVertex f) {
            v = f.getUnderlying();
        }
        List<String> in = conf.getVertexInputs().get(name).stream().map(tensors::get).toList();
        String result;
        if (v instanceof LayerVertex lv) {
            String x = in.get(0);
            InputType inType = types.get(conf.getVertexInputs().get(name).get(0));
            if (lv.getPreProcessor() != null) {
                x = preprocess(lv.getPreProcessor(), x, inType, name);
            }
            result = layer(name, unwrap(lv.getLayerConf().getLayer()), x);
        } else if (v instanceof ElementWiseVertex e) {
            result = switch (e.getOp()) {
                case Add -> chain("Add", in);
                case Subtract -> node("Sub", in, Map.of());
                case Product -> chain("Mul", in);
                case Average -> node("Mean", in, Map.of());
                case Max -> node("Max", in, Map.of());
                default -> throw unsupported(name, "ElementWiseVertex " + e.getOp());
            };
        } else if (v instanceof MergeVertex) {
            result = node("Concat", in, Map.of("axis", 1L));
        } else if (v instanceof PreprocessorVertex p) {
            result = preprocess(p.getPreProcessor(), in.get(0), types.get(conf.getVertexInputs().get(name).get(0)),
                    name);
        } else if (v instanceof ReshapeVertex r) {
            result = reshapeToMap(name, r, in.get(0));
        } else if (v instanceof ChannelAffineVertex a) {
            boolean map = types.get(name) instanceof InputType.InputTypeConvolutional;
            String scaled = node("Mul", List.of(in.get(0), constant(perChannel(a.getScale(), map))), Map.of());
            result = node("Add", List.of(scaled, constant(perChannel(a.getOffset(), map))), Map.of());
        } else if (v instanceof BroadcastMultiplyVertex) {
            result = node("Mul", in, Map.of());
        } else if (v instanceof ConstantPadVertex p) {
            result = pad(in.get(0), p.getTop(), p.getLeft(), p.getBottom(), p.getRight(), p.getValue());
        } else if (v instanceof ChannelSliceVertex s) {
            result = node("Slice", List.of(in.get(0), longs(s.getFrom()), longs(s.getTo()), longs(1)), Map.of());
        } else {
            throw unsupported(name, v.getClass().getSimpleName());
        }
        tensors.put(name, result);
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

    private String layer(String name, Layer layer, String x) {
        Map<String, INDArray> p = graph.getVertex(name).paramTable(false);
        if (layer instanceof DepthwiseConvolution2D d) {
            INDArray dw = p.get("W"); // [kH, kW, C, m] -> ONNX [C*m, 1, kH, kW]
            long c = dw.size(2);
            long m = dw.size(3);
            INDArray wt = dw.permute(2, 3, 0, 1).dup('c').reshape(c * m, 1, dw.size(0), dw.size(1));
            return activation(conv(name, d, x, wt, p.get("b"), c), d.getActivationFn());
        }
        if (layer.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer cl = (ConvolutionLayer) layer;
            return activation(conv(name, cl, x, p.get("W"), p.get("b"), 1), cl.getActivationFn());
        }
        if (layer instanceof BatchNormalization bn) {
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
            // DL4J's BatchNormalization never applies its configured activation (whose default is sigmoid)
            return node("BatchNormalization", List.of(x, constant(gamma.reshape(c)), constant(beta.reshape(c)),
                    constant(p.get("mean").reshape(c)), constant(var.reshape(c))), Map.of("epsilon", (float) bn.getEps()));
        }
        if (layer instanceof ActivationLayer a) {
            return activation(x, a.getActivationFn());
        }
        if (layer instanceof DropoutLayer) {
            return x; // inference
        }
        if (layer instanceof DenseLayer || layer.getClass() == OutputLayer.class) {
            BaseLayer dense = (BaseLayer) layer;
            INDArray b = p.get("b");
            List<String> inputs = b == null ? List.of(x, constant(p.get("W")))
                    : List.of(x, constant(p.get("W")), constant(b.reshape(b.length())));
            return activation(node("Gemm", inputs, Map.of()), dense.getActivationFn());
        }
        if (layer instanceof SubsamplingLayer s && layer.getClass() == SubsamplingLayer.class) {
            return pool(name, s, x);
        }
        if (layer instanceof GlobalPoolingLayer g) {
            String op = switch (g.getPoolingType()) {
                case AVG -> "GlobalAveragePool";
                case MAX -> "GlobalMaxPool";
                default -> throw unsupported(name, "global " + g.getPoolingType() + " pooling");
            };
            String pooled = node(op, List.of(x), Map.of());
            return g.isCollapseDimensions() ? node("Flatten", List.of(pooled), Map.of("axis", 1L)) : pooled;
        }
        if (layer instanceof ZeroPaddingLayer z) {
            int[] pad = z.getPadding(); // top, bottom, left, right
            return pad(x, pad[0], pad[2], pad[1], pad[3], 0);
        }
        throw unsupported(name, layer.getClass().getSimpleName());
    }

    private String conv(String name, ConvolutionLayer c, String x, INDArray w, INDArray b, long group) {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("kernel_shape", toLongs(c.getKernelSize()));
        attrs.put("strides", toLongs(c.getStride()));
        attrs.put("dilations", toLongs(c.getDilation()));
        attrs.put("group", group);
        padding(name, c.getConvolutionMode(), c.getPadding(), attrs);
        List<String> inputs = new ArrayList<>(List.of(x, constant(w)));
        if (b != null && c.hasBias()) {
            inputs.add(constant(b.reshape(b.length())));
        }
        return node("Conv", inputs, attrs);
    }

    private String pool(String name, SubsamplingLayer s, String x) {
        if (Arrays.stream(s.getDilation()).anyMatch(d -> d != 1)) {
            throw unsupported(name, "dilated pooling");
        }
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("kernel_shape", toLongs(s.getKernelSize()));
        attrs.put("strides", toLongs(s.getStride()));
        padding(name, s.getConvolutionMode(), s.getPadding(), attrs);
        if (s.getPoolingType() == PoolingType.MAX) {
            return node("MaxPool", List.of(x), attrs);
        }
        if (s.getPoolingType() == PoolingType.AVG) {
            // without padding the flag changes nothing; say 1 so that ONNX Runtime may fuse a Pad before the pooling
            // (its fusion of Pad into AveragePool with count_include_pad=0 excludes the padded zeros)
            boolean padded = !"SAME_UPPER".equals(attrs.get("auto_pad"))
                    && Arrays.stream((long[]) attrs.get("pads")).anyMatch(p -> p != 0)
                    || "SAME_UPPER".equals(attrs.get("auto_pad"));
            attrs.put("count_include_pad", !padded || s.isAvgPoolIncludePadInDivisor() ? 1L : 0L);
            return node("AveragePool", List.of(x), attrs);
        }
        throw unsupported(name, s.getPoolingType() + " pooling");
    }

    /** DL4J's Same mode pads like TensorFlow: the odd pixel at the end, i.e. ONNX's SAME_UPPER. */
    private void padding(String name, ConvolutionMode mode, int[] pad, Map<String, Object> attrs) {
        switch (mode) {
            case Same -> attrs.put("auto_pad", "SAME_UPPER");
            case Truncate, Strict -> attrs.put("pads", new long[]{pad[0], pad[1], pad[0], pad[1]});
            default -> throw unsupported(name, "convolution mode " + mode);
        }
    }

    private String pad(String x, int top, int left, int bottom, int right, double value) {
        return node("Pad", List.of(x, longs(0, 0, top, left, 0, 0, bottom, right),
                constant(Nd4j.scalar((float) value))), Map.of("mode", "constant"));
    }

    private String preprocess(InputPreProcessor pre, String x, InputType inType, String name) {
        if (pre instanceof CnnToFeedForwardPreProcessor c) {
            boolean spatial = c.getInputHeight() * c.getInputWidth() > 1;
            if (spatial && c.getFormat() == CNN2DFormat.NHWC) {
                // DL4J flattens NHWC maps in H, W, C order; the ONNX tensor is NCHW
                x = node("Transpose", List.of(x), Map.of("perm", new long[]{0, 2, 3, 1}));
            }
            return node("Flatten", List.of(x), Map.of("axis", 1L));
        }
        if (pre instanceof org.deeplearning4j.preprocessors.ReshapePreprocessor r) {
            return reshape(name, r.getTargetShape(), x);
        }
        throw unsupported(name, "input preprocessor " + pre.getClass().getSimpleName());
    }

    /** Keras' Reshape(1, 1, C) of pooled features (either layout): [N, C] → [N, C, 1, 1] in NCHW. */
    private String reshapeToMap(String name, ReshapeVertex r, String x) {
        int[] shape = r.getNewShape();
        return reshape(name, Arrays.stream(shape).skip(1).asLongStream().toArray(), x);
    }

    /**
     * Reshapes that do not depend on the layout: a vector to a 1x1 map of C channels ([1, 1, C] or [C, 1, 1]), and
     * a vector or 1x1 map to a vector.
     */
    private String reshape(String name, long[] target, String x) {
        long[] nonUnit = Arrays.stream(target).filter(d -> d != 1).toArray();
        if (target.length == 3 && nonUnit.length == 1) {
            return node("Reshape", List.of(x, longs(-1, nonUnit[0], 1, 1)), Map.of());
        }
        if (target.length == 1) {
            return node("Flatten", List.of(x), Map.of("axis", 1L));
        }
        throw unsupported(name, "a reshape to " + Arrays.toString(target));
    }

    private String activation(String x, IActivation a) {
        if (a == null || a instanceof ActivationIdentity) {
            return x;
        }
        if (a instanceof ActivationReLU r) {
            // Keras' ReLU(max_value, threshold, negative_slope) imports as one DL4J ReLU (MobileNet's ReLU6)
            double threshold = r.getThreshold() == null ? 0 : r.getThreshold();
            double slope = r.getNegativeSlope() == null ? 0 : r.getNegativeSlope();
            if (threshold == 0 && slope == 0) {
                return r.getMax() == null ? node("Relu", List.of(x), Map.of()) : clip(x, 0, r.getMax());
            }
            if (threshold == 0 && r.getMax() == null) {
                return node("LeakyRelu", List.of(x), Map.of("alpha", (float) slope));
            }
            throw new GraftException("Cannot export " + a + " with threshold " + threshold + " to ONNX.", null);
        }
        if (a instanceof ActivationReLU6) {
            return clip(x, 0, 6);
        }
        if (a instanceof ActivationSigmoid) {
            return node("Sigmoid", List.of(x), Map.of());
        }
        if (a instanceof ActivationTanH) {
            return node("Tanh", List.of(x), Map.of());
        }
        if (a instanceof ActivationSwish) {
            return node("Mul", List.of(x, node("Sigmoid", List.of(x), Map.of())), Map.of());
        }
        if (a instanceof ActivationSoftmax) {
            return node("Softmax", List.of(x), Map.of("axis", 1L));
        }
        if (a instanceof ActivationLReLU l) {
            return node("LeakyRelu", List.of(x), Map.of("alpha", (float) l.getAlpha()));
        }
        if (a instanceof ActivationELU e) {
            return node("Elu", List.of(x), Map.of("alpha", (float) e.getAlpha()));
        }
        if (a instanceof ActivationHardTanH) {
            return clip(x, -1, 1);
        }
        if (a instanceof ActivationHardSigmoid) {
            return node("HardSigmoid", List.of(x), Map.of("alpha", 0.2f, "beta", 0.5f));
        }
        if (a instanceof HardSigmoidActivation h) {
            return node("HardSigmoid", List.of(x), Map.of("alpha", (float) h.getAlpha(), "beta", (float) h.getBeta()));
        }
        if (a instanceof HardSwishActivation) {
            return node("HardSwish", List.of(x), Map.of());
        }
        if (a instanceof ClipActivation c) {
            return clip(x, c.getMin(), c.getMax());
        }
        throw new GraftException("Cannot export the activation " + a + " to ONNX.", null);
    }

    private String clip(String x, double min, double max) {
        return node("Clip", List.of(x, constant(Nd4j.scalar((float) min)), constant(Nd4j.scalar((float) max))),
                Map.of());
    }

    // ---------------------------------------------------------------------------------------------------------
    // protobuf plumbing

    private String chain(String op, List<String> in) {
        String acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            acc = node(op, List.of(acc, in.get(i)), Map.of());
        }
        return acc;
    }

    private String node(String op, List<String> inputs, Map<String, Object> attrs) {
        return node(op, inputs, attrs, op.toLowerCase() + "_" + (counter++));
    }

    private String node(String op, List<String> inputs, Map<String, Object> attrs, String output) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        inputs.forEach(n::addInput);
        attrs.forEach((k, v) -> n.addAttribute(attribute(k, v)));
        out.addNode(n);
        return output;
    }

    private static Onnx.AttributeProto attribute(String name, Object v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Float f) {
            a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof String s) {
            a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (v instanceof long[] ls) {
            a.setType(Onnx.AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else {
            throw new IllegalArgumentException(name + "=" + v);
        }
        return a.build();
    }

    /** A float initializer holding {@code value} (C order). */
    private String constant(INDArray value) {
        String name = "const_" + (counter++);
        INDArray v = value.castTo(DataType.FLOAT).dup('c');
        ByteBuffer bytes = ByteBuffer.allocate((int) (4 * v.length())).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(v.data().asFloat());
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : v.shape()) {
            t.addDims(d);
        }
        out.addInitializer(t);
        return name;
    }

    /** An int64 initializer (shapes, pads, slice bounds). */
    private String longs(long... values) {
        String name = "ints_" + (counter++);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7)
                .addDims(values.length);
        for (long l : values) {
            t.addInt64Data(l);
        }
        out.addInitializer(t);
        return name;
    }

    private static INDArray perChannel(double[] values, boolean map) {
        INDArray v = Nd4j.createFromArray(values).castTo(DataType.FLOAT);
        return map ? v.reshape(1, values.length, 1, 1) : v.reshape(1, values.length);
    }

    private static long[] toLongs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, long[] shape) {
        Onnx.TypeProto.Tensor.Builder tensor = Onnx.TypeProto.Tensor.newBuilder().setElemType(1);
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        tensor.setShape(s);
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static GraftException unsupported(String vertex, String what) {
        return new GraftException("Cannot export layer '" + vertex + "' to ONNX: " + what + " is not supported.",
                "Use the DL4J engine (--engine dl4j) for this model.");
    }
}
