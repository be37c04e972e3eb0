package org.graft.backbone.onnx;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.GraftException;
import org.graft.model.layers.BroadcastMultiplyVertex;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.model.layers.ChannelSliceVertex;
import org.graft.model.layers.ClipActivation;
import org.graft.model.layers.ConstantPadVertex;
import org.graft.model.layers.HardSigmoidActivation;
import org.graft.model.layers.HardSwishActivation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Translates one ONNX graph, node by node in its (topological) order, into a DL4J graph configuration plus the
 * weights to load into it. Tensors are tracked with their per-image shape ([C,H,W] for feature maps, [N] for
 * vectors), which lets every op be checked and every output size be known before DL4J sees the graph.
 *
 * <table>
 * <caption>ONNX op → DL4J</caption>
 * <tr><td>Conv</td><td>ConvolutionLayer; DepthwiseConvolution2D (group = channels); per-group convolutions joined
 *     by a MergeVertex (other groups). Asymmetric or SAME padding: a ZeroPaddingLayer first.</td></tr>
 * <tr><td>BatchNormalization</td><td>BatchNormalization (or folded into the convolution before it)</td></tr>
 * <tr><td>Relu, Clip, Sigmoid, Tanh, LeakyRelu, Elu, HardSigmoid, HardSwish, x·Sigmoid(x), x·HardSigmoid(x),
 *     Softmax</td><td>the activation of the layer before (when nothing else reads that layer) or an
 *     ActivationLayer</td></tr>
 * <tr><td>Add, Sub, Mul, Div</td><td>with a scalar or per-channel constant: folded into the layer before, or a
 *     ChannelAffineVertex; of two tensors: ElementWiseVertex, or BroadcastMultiplyVertex for
 *     [C,H,W]·[C,1,1]</td></tr>
 * <tr><td>GlobalAveragePool, GlobalMaxPool</td><td>GlobalPoolingLayer keeping [C,1,1]</td></tr>
 * <tr><td>MaxPool, AveragePool</td><td>SubsamplingLayer, after a ConstantPadVertex (max: padding loses every
 *     comparison) or ZeroPaddingLayer (average counting the padding)</td></tr>
 * <tr><td>Pad</td><td>ZeroPaddingLayer, or ConstantPadVertex for another value</td></tr>
 * <tr><td>Flatten, Reshape to [batch, n]</td><td>CnnToFeedForwardPreProcessor (same C,H,W order as ONNX)</td></tr>
 * <tr><td>Gemm, MatMul</td><td>DenseLayer</td></tr>
 * <tr><td>Concat (channels)</td><td>MergeVertex</td></tr>
 * <tr><td>Dropout, Identity</td><td>nothing (inference)</td></tr>
 * </table>
 */
final class OnnxGraphTranslator {
    private static final Logger log = LoggerFactory.getLogger(OnnxGraphTranslator.class);

    static final Set<String> SUPPORTED_OPS = new TreeSet<>(List.of("Add", "AveragePool", "BatchNormalization",
            "Clip", "Concat", "Constant", "Conv", "Div", "Dropout", "Elu", "Flatten", "Gemm", "GlobalAveragePool",
            "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "MatMul", "MaxPool", "Mul", "Pad",
            "Relu", "Reshape", "Sigmoid", "Softmax", "Sub", "Tanh"));

    /** 1 GB of float32 per image for one tensor: far above any real CNN's, far below exhausting the machine. */
    private static final long MAX_VALUES_PER_IMAGE = 1L << 28;

    private final Onnx.ModelProto model;
    private final Path file;
    private final int[] requestedSize;
    private final boolean foldBatchNorm;
    private final long opset;

    /** What each ONNX tensor name stands for. */
    private final Map<String, Value> values = new HashMap<>();
    /** The DL4J vertices to create, in order. */
    private final Map<String, Emit> emits = new LinkedHashMap<>();
    /** How many nodes (and graph outputs) read each ONNX tensor. */
    private final Map<String, Integer> consumers = new HashMap<>();
    /** How many readers each DL4J vertex still has: a layer read once may take on the next op's work. */
    private final Map<String, Integer> uses = new HashMap<>();
    /** Sigmoid/HardSigmoid nodes that are half of an x·σ(x) pattern, and the Mul nodes completing them. */
    private final Set<String> absorbedGates = new HashSet<>();
    private final Map<String, Gate> gatedMuls = new HashMap<>();
    private final Set<String> usedNames = new HashSet<>();
    private String inputName;

    OnnxGraphTranslator(Onnx.ModelProto model, Path file, int[] requestedSize, boolean foldBatchNorm) {
        this.model = model;
        this.file = file;
        this.requestedSize = requestedSize;
        this.foldBatchNorm = foldBatchNorm;
        this.opset = OnnxFile.opset(model).orElseThrow();
    }

    // ---------------------------------------------------------------------------------------------------------
    // values: what an ONNX tensor is on the DL4J side

    private sealed interface Value permits Act, Const {
    }

    /** A tensor computed per image: the DL4J vertex producing it and its shape without the batch dimension. */
    private record Act(String vertex, long[] shape) implements Value {
        boolean spatial() {
            return shape.length == 3;
        }

        long channels() {
            return shape[0];
        }

        long size() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /** The Mul of x * gate(x): x's tensor name and the activation the pair computes. */
    private record Gate(String x, IActivation activation) {
    }

    /** A tensor known when converting: a weight, or a constant such as a shape or padding. */
    private record Const(INDArray array) implements Value {
    }

    // ---------------------------------------------------------------------------------------------------------
    // emits: DL4J vertices waiting to be created (convolutions and dense layers stay open to absorb what follows)

    private abstract static class Emit {
        final String name;
        final String[] inputs;

        Emit(String name, String... inputs) {
            this.name = name;
            this.inputs = inputs;
        }
    }

    private static final class LayerEmit extends Emit {
        final Layer layer;
        final Map<String, INDArray> params;

        LayerEmit(String name, Layer layer, Map<String, INDArray> params, String... inputs) {
            super(name, inputs);
            this.layer = layer;
            this.params = params;
        }
    }

    private static final class VertexEmit extends Emit {
        final GraphVertex vertex;

        VertexEmit(String name, GraphVertex vertex, String... inputs) {
            super(name, inputs);
            this.vertex = vertex;
        }
    }

    /** A layer with weights [.., out] and a bias [out]: activations, constant scales and shifts fold into it. */
    private abstract static class WeightedEmit extends Emit {
        INDArray bias;
        IActivation activation = new ActivationIdentity();

        WeightedEmit(String name, String input, INDArray bias) {
            super(name, input);
            this.bias = bias;
        }

        abstract long outputs();

        /** Multiplies output channel o by scale[o] (weights and bias). */
        abstract void scaleOutputs(INDArray scale);

        INDArray biasOrZeros() {
            if (bias == null) {
                bias = Nd4j.zeros(DataType.FLOAT, outputs());
            }
            return bias;
        }

        boolean identity() {
            return activation instanceof ActivationIdentity;
        }
    }

    /** A convolution with ONNX-layout weights [out, in/group, kH, kW]. */
    private static final class ConvEmit extends WeightedEmit {
        final INDArray weight;
        final int group;
        final long inChannels;
        final int[] kernel;
        final int[] stride;
        final int[] dilation;
        final int[] padding;

        ConvEmit(String name, String input, INDArray weight, INDArray bias, int group, long inChannels, int[] kernel,
                 int[] stride, int[] dilation, int[] padding) {
            super(name, input, bias);
            this.weight = weight;
            this.group = group;
            this.inChannels = inChannels;
            this.kernel = kernel;
            this.stride = stride;
            this.dilation = dilation;
            this.padding = padding;
        }

        @Override
        long outputs() {
            return weight.size(0);
        }

        @Override
        void scaleOutputs(INDArray scale) {
            weight.muli(scale.reshape(outputs(), 1, 1, 1));
            if (bias != null) {
                bias.muli(scale);
            }
        }
    }

    /** A dense layer with DL4J-layout weights [in, out]. */
    private static final class DenseEmit extends WeightedEmit {
        final INDArray weight;

        DenseEmit(String name, String input, INDArray weight, INDArray bias) {
            super(name, input, bias);
            this.weight = weight;
        }

        @Override
        long outputs() {
            return weight.size(1);
        }

        @Override
        void scaleOutputs(INDArray scale) {
            weight.muli(scale.reshape(1, outputs()));
            if (bias != null) {
                bias.muli(scale);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    OnnxModel translate() {
        try {
            return translateGraph();
        } catch (GraftException e) {
            throw e;
        } catch (RuntimeException e) {
            // a damaged file can hold values no exporter writes (a zero stride, a kernel of 2^31): never a crash
            throw new GraftException(file.getFileName() + ": cannot convert the model: " + e,
                    "The file may be damaged; export it again.", e);
        }
    }

    private OnnxModel translateGraph() {
        Onnx.GraphProto graph = model.getGraph();
        for (Onnx.TensorProto t : graph.getInitializerList()) {
            values.put(t.getName(), new Const(OnnxTensors.toArray(t, file.getFileName() + " (initializer)")));
        }
        List<OnnxNode> nodes = new ArrayList<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            nodes.add(new OnnxNode(graph.getNode(i), i));
        }
        countConsumers(graph, nodes);
        long[] input = declareInput(graph);
        findGatedActivations(nodes);

        Map<String, Integer> opCounts = new TreeMap<>();
        for (OnnxNode n : nodes) {
            opCounts.merge(n.op(), 1, Integer::sum);
        }
        List<String> unsupported = nodes.stream()
                .filter(n -> !SUPPORTED_OPS.contains(n.op()) || !(n.domain().isEmpty() || n.domain().equals("ai.onnx")))
                .map(OnnxNode::describe).limit(5).toList();
        if (!unsupported.isEmpty()) {
            throw new GraftException(file.getFileName() + ": Graft cannot convert " + String.join(", ", unsupported)
                    + (unsupported.size() == 5 ? ", ..." : "") + ". Supported ONNX ops: "
                    + String.join(", ", SUPPORTED_OPS) + ".",
                    "Export image classifiers of convolutional layers (e.g. torchvision models with "
                            + "torch.onnx.export, opset 11 to 17), or simplify the graph first (onnx-simplifier).");
        }
        for (OnnxNode n : nodes) {
            try {
                translate(n);
            } catch (GraftException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new GraftException(file.getFileName() + ": cannot convert " + n.describe() + ": " + e,
                        "The file may be damaged; export it again.", e);
            }
        }
        List<String> outputs = new ArrayList<>();
        for (Onnx.ValueInfoProto o : graph.getOutputList()) {
            if (!(values.get(o.getName()) instanceof Act act)) {
                throw new GraftException(file.getFileName() + ": the model output '" + o.getName()
                        + "' is not computed from the image.", "Export the model with its image input.");
            }
            outputs.add(act.vertex());
        }
        ComputationGraph dl4j = build(input, outputs);
        return new OnnxModel(dl4j, input, featureVertex(outputs.get(0)), opset,
                (model.getProducerName() + " " + model.getProducerVersion()).trim(), opCounts);
    }

    private void countConsumers(Onnx.GraphProto graph, List<OnnxNode> nodes) {
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
    }

    /**
     * The one input: an image [N, C, H, W], returned as [C, H, W] with H and W fixed by the file or the caller, or a
     * feature vector [N, F], returned as [F].
     */
    private long[] declareInput(Onnx.GraphProto graph) {
        List<Onnx.ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(i -> !values.containsKey(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new GraftException(file.getFileName() + " has " + inputs.size() + " inputs "
                    + inputs.stream().map(Onnx.ValueInfoProto::getName).toList() + "; Graft converts models with one "
                    + "image input.", "Export the model with a single input tensor of shape [batch, 3, H, W].");
        }
        Onnx.ValueInfoProto in = inputs.get(0);
        List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        inputName = unique(in.getName().isEmpty() ? "input" : in.getName());
        if (dims.size() == 2 && dims.get(1).hasDimValue() && dims.get(1).getDimValue() > 0) {
            // a model on feature vectors (a classifier head on its own)
            long[] shape = {dims.get(1).getDimValue()};
            bind(in.getName(), new Act(inputName, shape));
            return shape;
        }
        if (dims.size() != 4) {
            throw new GraftException(file.getFileName() + ": input '" + in.getName() + "' has rank " + dims.size()
                    + "; an image classifier takes [batch, channels, height, width].",
                    "Export the model with an NCHW image input.");
        }
        long channels = dims.get(1).hasDimValue() ? dims.get(1).getDimValue() : 3;
        long[] hw = new long[2];
        for (int i = 0; i < 2; i++) {
            Onnx.TensorShapeProto.Dimension d = dims.get(2 + i);
            if (d.hasDimValue() && d.getDimValue() > 0) {
                hw[i] = d.getDimValue();
                if (requestedSize != null && requestedSize[i] != hw[i]) {
                    throw new GraftException(file.getFileName() + " takes " + dims.get(2).getDimValue() + "x"
                            + dims.get(3).getDimValue() + " images, not " + requestedSize[0] + "x"
                            + requestedSize[1] + ".", "Use the model's own input size in the preprocessing.");
                }
            } else {
                hw[i] = requestedSize != null ? requestedSize[i] : 224;
            }
        }
        if (requestedSize == null && (!dims.get(2).hasDimValue() || !dims.get(3).hasDimValue())) {
            log.info("{} leaves the image size open; using {}x{}", file.getFileName(), hw[0], hw[1]);
        }
        long[] shape = {channels, hw[0], hw[1]};
        bind(in.getName(), new Act(inputName, shape));
        return shape;
    }

    /** Marks x·Sigmoid(x) (SiLU/Swish) and x·HardSigmoid(x) (HardSwish) pairs, converted as one activation. */
    private void findGatedActivations(List<OnnxNode> nodes) {
        Map<String, OnnxNode> readerOf = new HashMap<>();
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) {
                readerOf.put(in, n);
            }
        }
        for (OnnxNode gate : nodes) {
            boolean sigmoid = gate.op().equals("Sigmoid");
            boolean hardSwishGate = gate.op().equals("HardSigmoid")
                    && Math.abs(gate.getFloat("alpha", 0.2f) - 1 / 6f) < 1e-6 && gate.getFloat("beta", 0.5f) == 0.5f;
            if (!(sigmoid || hardSwishGate) || consumers.getOrDefault(gate.output(), 0) != 1) {
                continue;
            }
            OnnxNode mul = readerOf.get(gate.output());
            String x = gate.input(0);
            if (mul != null && mul.op().equals("Mul") && mul.inputCount() == 2
                    && Set.of(mul.input(0), mul.input(1)).equals(Set.of(x, gate.output()))) {
                absorbedGates.add(gate.name());
                gatedMuls.put(mul.name(), new Gate(x, sigmoid ? Activation.SWISH.getActivationFunction()
                        : new HardSwishActivation()));
            }
        }
    }

    private void translate(OnnxNode n) {
        switch (n.op()) {
            case "Constant" -> constant(n);
            case "Identity", "Dropout" -> passThrough(n);
            case "Conv" -> conv(n);
            case "BatchNormalization" -> batchNorm(n);
            case "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "HardSigmoid", "HardSwish", "Clip", "Softmax" ->
                    activation(n);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(n);
            case "MaxPool", "AveragePool" -> pool(n);
            case "Pad" -> pad(n);
            case "Flatten" -> flatten(n);
            case "Reshape" -> reshape(n);
            case "Gemm" -> gemm(n);
            case "MatMul" -> matMul(n);
            case "Concat" -> concat(n);
            default -> throw unsupported(n, "this op");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // ops

    private void constant(OnnxNode n) {
        INDArray value;
        if (n.has("value")) {
            value = OnnxTensors.toArray(n.getTensor("value"), file.getFileName() + " " + n.describe());
        } else if (n.has("value_float")) {
            value = Nd4j.scalar(n.getFloat("value_float", 0));
        } else if (n.has("value_floats")) {
            value = Nd4j.createFromArray(n.getFloats("value_floats"));
        } else if (n.has("value_int")) {
            value = Nd4j.scalar(n.getInt("value_int", 0));
        } else if (n.has("value_ints")) {
            value = Nd4j.createFromArray(n.getInts("value_ints", new long[0]));
        } else {
            throw unsupported(n, "a Constant of this kind (" + n.attributeNames() + ")");
        }
        values.put(n.output(), new Const(value));
    }

    private void passThrough(OnnxNode n) {
        for (int i = 1; i < n.outputs().size(); i++) {
            if (consumers.getOrDefault(n.outputs().get(i), 0) > 0) {
                throw unsupported(n, "its mask output (training-time dropout)");
            }
        }
        Value v = value(n, 0);
        if (v instanceof Act a) {
            alias(n.output(), a);
        } else {
            values.put(n.output(), v);
        }
    }

    private void conv(OnnxNode n) {
        Act x = spatial(n, 0);
        INDArray w = constant(n, 1, "weights");
        INDArray b = n.inputCount() > 2 ? constant(n, 2, "bias") : null;
        if (w.rank() != 4) {
            throw unsupported(n, "a " + (w.rank() - 2) + "-D convolution (only 2-D convolutions are supported)");
        }
        int group = (int) n.getInt("group", 1);
        long out = w.size(0);
        if (group < 1 || w.size(1) * group != x.channels() || out % group != 0) {
            throw unsupported(n, "weights " + Arrays.toString(w.shape()) + " with group=" + group + " on "
                    + x.channels() + " input channels");
        }
        int[] kernel = ints(n.getInts("kernel_shape", new long[]{w.size(2), w.size(3)}));
        if (kernel[0] != w.size(2) || kernel[1] != w.size(3)) {
            throw unsupported(n, "kernel_shape " + Arrays.toString(kernel) + " that differs from its weights");
        }
        int[] stride = ints(n.getInts("strides", new long[]{1, 1}));
        int[] dilation = ints(n.getInts("dilations", new long[]{1, 1}));
        int[] pads = pads(n, x, kernel, stride, dilation);
        String input = x.vertex();
        long h = x.shape()[1];
        long wd = x.shape()[2];
        int[] padding = {pads[0], pads[1]};
        if (pads[0] != pads[2] || pads[1] != pads[3]) {
            // DL4J pads symmetrically; pad the map first and convolve without padding
            input = emit(new LayerEmit(unique(n.name() + "/pad"), new ZeroPaddingLayer.Builder(pads[0], pads[2],
                    pads[1], pads[3]).build(), Map.of(), x.vertex()));
            uses.put(input, 1);
            h += pads[0] + pads[2];
            wd += pads[1] + pads[3];
            padding = new int[]{0, 0};
        }
        long outH = (h + 2L * padding[0] - ((long) dilation[0] * (kernel[0] - 1) + 1)) / stride[0] + 1;
        long outW = (wd + 2L * padding[1] - ((long) dilation[1] * (kernel[1] - 1) + 1)) / stride[1] + 1;
        if (outH < 1 || outW < 1) {
            throw unsupported(n, "a kernel larger than its " + h + "x" + wd + " input");
        }
        String name = unique(n.name());
        emit(new ConvEmit(name, input, w.dup(), b == null ? null : b.dup().reshape(out), group, x.channels(), kernel,
                stride, dilation, padding));
        bind(n.output(), new Act(name, new long[]{out, outH, outW}));
    }

    private void batchNorm(OnnxNode n) {
        if (n.getInt("training_mode", 0) != 0 || n.outputs().stream().skip(1)
                .anyMatch(o -> consumers.getOrDefault(o, 0) > 0)) {
            throw unsupported(n, "training-mode batch statistics (export the model in eval mode)");
        }
        Act x = act(n, 0);
        long c = x.channels();
        INDArray gamma = vector(n, 1, c, "scale");
        INDArray beta = vector(n, 2, c, "bias");
        INDArray mean = vector(n, 3, c, "mean");
        INDArray var = vector(n, 4, c, "variance");
        double eps = n.getFloat("epsilon", 1e-5f);
        if (foldBatchNorm && emits.get(x.vertex()) instanceof ConvEmit conv && conv.identity() && readOnce(x)) {
            // y = (conv(x) - mean) * gamma / sqrt(var + eps) + beta, all per output channel
            INDArray scale = gamma.div(Transforms.sqrt(var.add(eps), false));
            conv.scaleOutputs(scale);
            conv.biasOrZeros().subi(mean.mul(scale)).addi(beta);
            alias(n.output(), x);
            return;
        }
        String name = unique(n.name());
        Layer bn = new BatchNormalization.Builder().nIn(c).nOut(c).eps(eps).useLogStd(false)
                .activation(Activation.IDENTITY).build();
        emit(new LayerEmit(name, bn, Map.of("gamma", gamma, "beta", beta, "mean", mean, "var", var), x.vertex()));
        bind(n.output(), new Act(name, x.shape()));
    }

    private void activation(OnnxNode n) {
        if (absorbedGates.contains(n.name())) {
            return; // converted with its Mul, as one activation
        }
        Act x = act(n, 0);
        applyActivation(n, x, activationOf(n, x));
    }

    private IActivation activationOf(OnnxNode n, Act x) {
        return switch (n.op()) {
            case "Relu" -> Activation.RELU.getActivationFunction();
            case "Sigmoid" -> Activation.SIGMOID.getActivationFunction();
            case "Tanh" -> Activation.TANH.getActivationFunction();
            case "LeakyRelu" -> new ActivationLReLU(n.getFloat("alpha", 0.01f));
            case "Elu" -> new org.nd4j.linalg.activations.impl.ActivationELU(n.getFloat("alpha", 1f));
            case "HardSigmoid" -> new HardSigmoidActivation(n.getFloat("alpha", 0.2f), n.getFloat("beta", 0.5f));
            case "HardSwish" -> new HardSwishActivation();
            case "Clip" -> clip(n);
            case "Softmax" -> {
                long axis = n.getInt("axis", opset >= 13 ? -1 : 1);
                if (x.spatial() || !(axis == 1 || axis == -1)) {
                    throw unsupported(n, "softmax over axis " + axis + " of a " + (x.shape().length + 1)
                            + "-D tensor (Graft supports softmax over the classes of a [batch, classes] tensor)");
                }
                yield Activation.SOFTMAX.getActivationFunction();
            }
            default -> throw unsupported(n, "this activation");
        };
    }

    private IActivation clip(OnnxNode n) {
        double min;
        double max;
        if (opset < 11) {
            min = n.getFloat("min", -Float.MAX_VALUE);
            max = n.getFloat("max", Float.MAX_VALUE);
        } else {
            min = n.inputCount() > 1 && !n.input(1).isEmpty() ? scalar(n, 1, "min") : -Float.MAX_VALUE;
            max = n.inputCount() > 2 ? scalar(n, 2, "max") : Float.MAX_VALUE;
        }
        if (min == 0 && max == 6) {
            return Activation.RELU6.getActivationFunction();
        }
        if (min == 0 && max >= Float.MAX_VALUE) {
            return Activation.RELU.getActivationFunction();
        }
        if (min == -1 && max == 1) {
            return Activation.HARDTANH.getActivationFunction();
        }
        return new ClipActivation(min, max);
    }

    /** Makes {@code activation} the activation of the layer producing x where only this node reads it. */
    private void applyActivation(OnnxNode n, Act x, IActivation activation) {
        if (emits.get(x.vertex()) instanceof WeightedEmit layer && layer.identity() && readOnce(x)) {
            layer.activation = activation;
            alias(n.output(), x);
            return;
        }
        String name = unique(n.name());
        emit(new LayerEmit(name, new ActivationLayer.Builder().activation(activation).build(), Map.of(), x.vertex()));
        bind(n.output(), new Act(name, x.shape()));
    }

    private void arithmetic(OnnxNode n) {
        Gate gate = gatedMuls.get(n.name());
        if (gate != null) {
            // x * gate(x) is one activation of x; the gate node was skipped, so x has one reader fewer
            Act x = (Act) values.get(gate.x());
            uses.merge(x.vertex(), -1, Integer::sum);
            applyActivation(n, x, gate.activation());
            return;
        }
        Value a = value(n, 0);
        Value b = value(n, 1);
        if (a instanceof Const && b instanceof Const) {
            throw unsupported(n, "arithmetic on two constants (export with constant folding)");
        }
        if (a instanceof Act x && b instanceof Act y) {
            twoTensors(n, x, y);
        } else if (a instanceof Act x) {
            withConstant(n, x, ((Const) b).array(), false);
        } else {
            withConstant(n, (Act) b, ((Const) a).array(), true);
        }
    }

    private void twoTensors(OnnxNode n, Act x, Act y) {
        String name = unique(n.name());
        if (Arrays.equals(x.shape(), y.shape())) {
            ElementWiseVertex.Op op = switch (n.op()) {
                case "Add" -> ElementWiseVertex.Op.Add;
                case "Sub" -> ElementWiseVertex.Op.Subtract;
                case "Mul" -> ElementWiseVertex.Op.Product;
                default -> throw unsupported(n, "division of one computed tensor by another");
            };
            emit(new VertexEmit(name, new ElementWiseVertex(op), x.vertex(), y.vertex()));
            bind(n.output(), new Act(name, x.shape()));
            return;
        }
        boolean squeezeExcite = n.op().equals("Mul") && x.spatial() && y.spatial() && x.channels() == y.channels()
                && (isChannelVector(y) || isChannelVector(x));
        if (!squeezeExcite) {
            throw unsupported(n, "broadcasting " + Arrays.toString(x.shape()) + " with " + Arrays.toString(y.shape())
                    + " (supported: equal shapes, and multiplying [C,H,W] by [C,1,1])");
        }
        emit(new VertexEmit(name, new BroadcastMultiplyVertex(), x.vertex(), y.vertex()));
        bind(n.output(), new Act(name, isChannelVector(x) ? y.shape() : x.shape()));
    }

    private static boolean isChannelVector(Act a) {
        return a.shape()[1] == 1 && a.shape()[2] == 1;
    }

    /** x (op) c or c (op) x with c a scalar or per-channel constant: folded into x's layer where possible. */
    private void withConstant(OnnxNode n, Act x, INDArray c, boolean constantFirst) {
        double[] v = perChannel(n, x, c);
        double[] scale;
        double[] offset;
        switch (n.op()) {
            case "Add" -> {
                scale = new double[]{1};
                offset = v;
            }
            case "Sub" -> {
                scale = new double[]{constantFirst ? -1 : 1};
                offset = constantFirst ? v : negate(v);
            }
            case "Mul" -> {
                scale = v;
                offset = new double[]{0};
            }
            case "Div" -> {
                if (constantFirst) {
                    throw unsupported(n, "dividing a constant by a computed tensor");
                }
                scale = Arrays.stream(v).map(d -> 1 / d).toArray();
                offset = new double[]{0};
            }
            default -> throw unsupported(n, "this op");
        }
        if (emits.get(x.vertex()) instanceof WeightedEmit layer && layer.identity() && readOnce(x)) {
            long outs = layer.outputs();
            layer.scaleOutputs(expand(scale, outs));
            layer.biasOrZeros().addi(expand(offset, outs));
            alias(n.output(), x);
            return;
        }
        String name = unique(n.name());
        emit(new VertexEmit(name, new ChannelAffineVertex(scale, offset, false), x.vertex()));
        bind(n.output(), new Act(name, x.shape()));
    }

    /** The constant as one value or one value per channel; any other broadcast is refused. */
    private double[] perChannel(OnnxNode n, Act x, INDArray c) {
        double[] flat = c.castTo(DataType.DOUBLE).data().asDouble();
        if (flat.length == 1) {
            return flat;
        }
        long[] shape = c.shape();
        int lead = 0;
        while (lead < shape.length && shape[lead] == 1 && shape.length - lead > x.shape().length) {
            lead++;
        }
        long[] core = Arrays.copyOfRange(shape, lead, shape.length);
        long[] perChannel = x.spatial() ? new long[]{x.channels(), 1, 1} : new long[]{x.shape()[0]};
        if (!Arrays.equals(core, perChannel)) {
            throw unsupported(n, "a constant of shape " + Arrays.toString(shape) + " on a tensor of shape "
                    + Arrays.toString(x.shape()) + " (supported: a scalar or one value per channel)");
        }
        return flat;
    }

    private static double[] negate(double[] v) {
        return Arrays.stream(v).map(d -> -d).toArray();
    }

    private static INDArray expand(double[] v, long n) {
        return v.length == 1 ? Nd4j.valueArrayOf(new long[]{n}, v[0], DataType.FLOAT)
                : Nd4j.createFromArray(v).castTo(DataType.FLOAT);
    }

    private void globalPool(OnnxNode n) {
        Act x = spatial(n, 0);
        PoolingType type = n.op().equals("GlobalMaxPool") ? PoolingType.MAX : PoolingType.AVG;
        String name = unique(n.name());
        // ONNX keeps [N, C, 1, 1]; so does DL4J without collapsing, so that 1x1 convolutions can follow (SE blocks)
        emit(new LayerEmit(name, new GlobalPoolingLayer.Builder(type).collapseDimensions(false).build(), Map.of(),
                x.vertex()));
        bind(n.output(), new Act(name, new long[]{x.channels(), 1, 1}));
    }

    private void pool(OnnxNode n) {
        boolean max = n.op().equals("MaxPool");
        if (max && n.outputs().size() > 1 && consumers.getOrDefault(n.outputs().get(1), 0) > 0) {
            throw unsupported(n, "its Indices output");
        }
        Act x = spatial(n, 0);
        if (!n.has("kernel_shape")) {
            throw unsupported(n, "a pooling without kernel_shape");
        }
        int[] kernel = ints(n.getInts("kernel_shape", null));
        if (kernel.length != 2) {
            throw unsupported(n, kernel.length + "-D pooling (only 2-D pooling is supported)");
        }
        int[] stride = ints(n.getInts("strides", new long[]{1, 1}));
        int[] dilation = ints(n.getInts("dilations", new long[]{1, 1}));
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw unsupported(n, "dilations " + Arrays.toString(dilation));
        }
        int[] pads = pads(n, x, kernel, stride, dilation);
        long h = x.shape()[1];
        long w = x.shape()[2];
        if (n.getInt("ceil_mode", 0) == 1) {
            // windows may run past the end: pad the end so the last window exists
            int extraH = ceilExtra(h, kernel[0], stride[0], pads[0], pads[2]);
            int extraW = ceilExtra(w, kernel[1], stride[1], pads[1], pads[3]);
            if (!max && (extraH > 0 || extraW > 0)) {
                throw unsupported(n, "ceil_mode=1 with windows running past the input (AveragePool)");
            }
            pads[2] += extraH;
            pads[3] += extraW;
        }
        boolean padded = Arrays.stream(pads).anyMatch(p -> p != 0);
        boolean symmetric = pads[0] == pads[2] && pads[1] == pads[3];
        boolean countPad = n.getInt("count_include_pad", 0) == 1;
        String input = x.vertex();
        int[] layerPadding = {0, 0};
        if (padded && (max || countPad)) {
            // max: padding must lose every comparison; average counting the padding: zeros are exact
            GraphVertex padVertex = new ConstantPadVertex(pads[0], pads[2], pads[1], pads[3],
                    max ? ConstantPadVertex.MAX_POOL_PAD : 0);
            input = emit(new VertexEmit(unique(n.name() + "/pad"), padVertex, x.vertex()));
            uses.put(input, 1);
        } else if (padded && symmetric) {
            layerPadding = new int[]{pads[0], pads[1]}; // DL4J averages over the valid part only
        } else if (padded) {
            throw unsupported(n, "asymmetric pads " + Arrays.toString(pads) + " with count_include_pad=0");
        }
        long paddedH = h + pads[0] + pads[2];
        long paddedW = w + pads[1] + pads[3];
        long outH = (paddedH - kernel[0]) / stride[0] + 1;
        long outW = (paddedW - kernel[1]) / stride[1] + 1;
        String name = unique(n.name());
        Layer layer = new SubsamplingLayer.Builder(max ? PoolingType.MAX : PoolingType.AVG)
                .kernelSize(kernel).stride(stride).padding(layerPadding)
                .avgPoolIncludePadInDivisor(false)
                .convolutionMode(ConvolutionMode.Truncate).build();
        emit(new LayerEmit(name, layer, Map.of(), input));
        bind(n.output(), new Act(name, new long[]{x.channels(), outH, outW}));
    }

    /** Extra end padding that ceil_mode needs: the last window must start inside the input or its start padding. */
    private static int ceilExtra(long size, int kernel, int stride, int padBegin, int padEnd) {
        long span = size + padBegin + padEnd - kernel;
        long out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= size + padBegin) {
            out--;
        }
        return (int) Math.max(0, (out - 1) * stride + kernel - (size + padBegin + padEnd));
    }

    private void pad(OnnxNode n) {
        Act x = spatial(n, 0);
        String mode = n.getString("mode", "constant");
        if (!mode.equals("constant")) {
            throw unsupported(n, "mode '" + mode + "' (only constant padding is supported)");
        }
        long[] pads;
        double value;
        if (opset < 11) {
            pads = n.getInts("pads", new long[0]);
            value = n.getFloat("value", 0);
        } else {
            if (n.inputCount() > 3) {
                throw unsupported(n, "the axes input");
            }
            pads = constant(n, 1, "pads").castTo(DataType.LONG).data().asLong();
            value = n.inputCount() > 2 && !n.input(2).isEmpty() ? scalar(n, 2, "constant_value") : 0;
        }
        // [N, C, H, W begin; N, C, H, W end]: only H and W may be padded
        if (pads.length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0
                || Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw unsupported(n, "pads " + Arrays.toString(pads) + " (supported: non-negative padding of height "
                    + "and width)");
        }
        int top = (int) pads[2];
        int left = (int) pads[3];
        int bottom = (int) pads[6];
        int right = (int) pads[7];
        String name = unique(n.name());
        if (value == 0) {
            emit(new LayerEmit(name, new ZeroPaddingLayer.Builder(top, bottom, left, right).build(), Map.of(),
                    x.vertex()));
        } else {
            emit(new VertexEmit(name, new ConstantPadVertex(top, bottom, left, right, value), x.vertex()));
        }
        bind(n.output(), new Act(name, new long[]{x.channels(), x.shape()[1] + top + bottom,
                x.shape()[2] + left + right}));
    }

    private void flatten(OnnxNode n) {
        Act x = act(n, 0);
        long axis = n.getInt("axis", 1);
        if (axis != 1 && axis != -(x.shape().length)) {
            throw unsupported(n, "axis " + axis + " (Graft flattens each image to one vector: axis 1)");
        }
        toVector(n, x);
    }

    private void reshape(OnnxNode n) {
        Act x = act(n, 0);
        long[] target = constant(n, 1, "shape").castTo(DataType.LONG).data().asLong();
        boolean batchFirst = target.length == 2 && (target[0] == -1 || target[0] == 0 || target[0] > 0);
        boolean flat = batchFirst && (target[1] == -1 || target[1] == x.size()) && !(target[0] == -1 && target[1] == -1);
        if (!flat) {
            throw unsupported(n, "a reshape of " + Arrays.toString(x.shape()) + " to " + Arrays.toString(target)
                    + " (supported: [batch, features], i.e. flattening each image)");
        }
        if (target[0] > 0) {
            log.warn("{}: {} fixes the batch size to {}; Graft reshapes each image separately.", file.getFileName(),
                    n.describe(), target[0]);
        }
        toVector(n, x);
    }

    private void toVector(OnnxNode n, Act x) {
        if (!x.spatial()) {
            alias(n.output(), x);
            return;
        }
        String name = unique(n.name());
        // CnnToFeedForwardPreProcessor flattens NCHW in C, H, W order, as ONNX's Flatten does
        emit(new VertexEmit(name, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(x.shape()[1], x.shape()[2],
                x.channels())), x.vertex()));
        bind(n.output(), new Act(name, new long[]{x.size()}));
    }

    private void gemm(OnnxNode n) {
        if (n.getInt("transA", 0) != 0) {
            throw unsupported(n, "transA=1 (the batch must be the first dimension of A)");
        }
        Act x = vectorInput(n);
        INDArray b = constant(n, 1, "weights");
        if (b.rank() != 2) {
            throw unsupported(n, "weights of shape " + Arrays.toString(b.shape()));
        }
        INDArray weight = (n.getInt("transB", 0) == 1 ? b.transpose() : b).dup('c')
                .muli(n.getFloat("alpha", 1f));
        long out = weight.size(1);
        INDArray bias = Nd4j.zeros(DataType.FLOAT, out);
        if (n.inputCount() > 2) {
            INDArray c = constant(n, 2, "bias");
            if (c.length() != out && c.length() != 1) {
                throw unsupported(n, "bias C of shape " + Arrays.toString(c.shape()));
            }
            bias.addi(c.castTo(DataType.FLOAT).reshape(c.length()).mul(n.getFloat("beta", 1f)));
        }
        dense(n, x, weight, bias);
    }

    private void matMul(OnnxNode n) {
        Act x = vectorInput(n);
        INDArray w = constant(n, 1, "weights");
        if (w.rank() != 2) {
            throw unsupported(n, "a matrix product with " + Arrays.toString(w.shape()));
        }
        dense(n, x, w.dup('c'), null);
    }

    private Act vectorInput(OnnxNode n) {
        Act x = act(n, 0);
        if (x.spatial()) {
            throw unsupported(n, "a " + Arrays.toString(x.shape()) + " feature map as input (flatten it first)");
        }
        return x;
    }

    private void dense(OnnxNode n, Act x, INDArray weight, INDArray bias) {
        if (weight.size(0) != x.size()) {
            throw unsupported(n, "weights " + Arrays.toString(weight.shape()) + " on " + x.size() + " inputs");
        }
        String name = unique(n.name());
        emit(new DenseEmit(name, x.vertex(), weight.castTo(DataType.FLOAT), bias));
        bind(n.output(), new Act(name, new long[]{weight.size(1)}));
    }

    private void concat(OnnxNode n) {
        List<Act> parts = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            parts.add(act(n, i));
        }
        Act first = parts.get(0);
        long axis = n.getInt("axis", 1);
        int rank = first.shape().length + 1;
        if (axis != 1 && axis != 1 - rank) {
            throw unsupported(n, "concatenation along axis " + axis + " (supported: channels, axis 1)");
        }
        long channels = 0;
        for (Act p : parts) {
            long[] rest = Arrays.copyOfRange(p.shape(), 1, p.shape().length);
            if (p.shape().length != first.shape().length
                    || !Arrays.equals(rest, Arrays.copyOfRange(first.shape(), 1, first.shape().length))) {
                throw unsupported(n, "inputs of shapes " + parts.stream().map(a -> Arrays.toString(a.shape())).toList());
            }
            channels += p.shape()[0];
        }
        String name = unique(n.name());
        emit(new VertexEmit(name, new MergeVertex(), parts.stream().map(Act::vertex).toArray(String[]::new)));
        long[] shape = first.shape().clone();
        shape[0] = channels;
        bind(n.output(), new Act(name, shape));
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    /** Explicit [top, left, bottom, right] padding from pads or auto_pad (SAME_UPPER puts the odd pixel last). */
    private int[] pads(OnnxNode n, Act x, int[] kernel, int[] stride, int[] dilation) {
        String auto = n.getString("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET", "" -> {
                long[] p = n.getInts("pads", new long[]{0, 0, 0, 0});
                if (p.length != 4 || Arrays.stream(p).anyMatch(v -> v < 0)) {
                    throw unsupported(n, "pads " + Arrays.toString(p));
                }
                return ints(p);
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] out = new int[4];
                for (int d = 0; d < 2; d++) {
                    long in = x.shape()[1 + d];
                    long outSize = (in + stride[d] - 1) / stride[d];
                    long total = Math.max(0, (outSize - 1) * stride[d] + (long) dilation[d] * (kernel[d] - 1) + 1 - in);
                    long small = total / 2;
                    long large = total - small;
                    boolean upper = auto.equals("SAME_UPPER");
                    out[d] = (int) (upper ? small : large);
                    out[d + 2] = (int) (upper ? large : small);
                }
                return out;
            }
            default -> throw unsupported(n, "auto_pad '" + auto + "'");
        }
    }

    private Value value(OnnxNode n, int i) {
        String name = n.input(i);
        Value v = values.get(name);
        if (v == null) {
            throw new GraftException(file.getFileName() + ": " + n.describe() + " reads '" + name
                    + "', which no earlier node computes.", "The graph is not in topological order or is damaged; "
                    + "export it again.");
        }
        return v;
    }

    private Act act(OnnxNode n, int i) {
        if (!(value(n, i) instanceof Act a)) {
            throw unsupported(n, "a constant as input " + i + " (export with constant folding)");
        }
        return a;
    }

    private Act spatial(OnnxNode n, int i) {
        Act a = act(n, i);
        if (!a.spatial()) {
            throw unsupported(n, "a vector input " + Arrays.toString(a.shape()) + " where a feature map is needed");
        }
        return a;
    }

    private INDArray constant(OnnxNode n, int i, String what) {
        if (n.input(i).isEmpty() || !(value(n, i) instanceof Const c)) {
            throw unsupported(n, "a computed " + what + " (input " + i + " must be a constant or initializer)");
        }
        return c.array();
    }

    private INDArray vector(OnnxNode n, int i, long length, String what) {
        INDArray c = constant(n, i, what);
        if (c.length() != length) {
            throw unsupported(n, what + " of shape " + Arrays.toString(c.shape()) + " for " + length + " channels");
        }
        return c.castTo(DataType.FLOAT).reshape(length);
    }

    private double scalar(OnnxNode n, int i, String what) {
        INDArray c = constant(n, i, what);
        if (c.length() != 1) {
            throw unsupported(n, what + " of shape " + Arrays.toString(c.shape()) + " (a scalar is needed)");
        }
        return c.getDouble(0);
    }

    private static int[] ints(long[] v) {
        return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }

    private String emit(Emit e) {
        emits.put(e.name, e);
        for (String in : e.inputs) {
            uses.putIfAbsent(in, 1);
        }
        return e.name;
    }

    /** A node's output is a new DL4J vertex: it has as many readers as the ONNX tensor. */
    private void bind(String tensor, Act a) {
        if (Arrays.stream(a.shape()).anyMatch(d -> d < 1) || a.size() > MAX_VALUES_PER_IMAGE) {
            throw new GraftException(file.getFileName() + ": tensor '" + tensor + "' would have shape "
                    + Arrays.toString(a.shape()) + " per image, beyond what an image classifier computes.",
                    "The file may be damaged, or the input size wrong; export the model again.");
        }
        values.put(tensor, a);
        uses.put(a.vertex(), consumers.getOrDefault(tensor, 0));
    }

    /** A node's output is its input's vertex (identity, or work folded into that vertex). */
    private void alias(String tensor, Act a) {
        values.put(tensor, a);
        uses.merge(a.vertex(), consumers.getOrDefault(tensor, 0) - 1, Integer::sum);
    }

    /** True if the node being converted is the only reader of x's vertex (so that vertex may absorb the node). */
    private boolean readOnce(Act x) {
        return uses.getOrDefault(x.vertex(), 0) == 1;
    }

    private String unique(String base) {
        String name = base;
        for (int i = 2; usedNames.contains(name) || name.equals(inputName); i++) {
            name = base + "_" + i;
        }
        usedNames.add(name);
        return name;
    }

    private GraftException unsupported(OnnxNode n, String what) {
        return new GraftException(file.getFileName() + ": " + n.describe() + " uses " + what
                + ", which Graft's ONNX converter does not support.",
                "Supported ops: " + String.join(", ", SUPPORTED_OPS) + ". Re-export the model without it, or "
                        + "simplify the graph (onnx-simplifier).");
    }

    /**
     * The input of the model's classifier: walking back from the output over parameter-free vertices (activations,
     * pooling, flattening) to the last layer with weights, and taking that layer's input.
     */
    private String featureVertex(String output) {
        String v = output;
        while (true) {
            Emit e = emits.get(v);
            if (e == null || e.inputs.length != 1) {
                return null;
            }
            if (e instanceof WeightedEmit || (e instanceof LayerEmit l && l.layer instanceof BatchNormalization)) {
                return e.inputs[0].equals(inputName) ? null : e.inputs[0];
            }
            v = e.inputs[0];
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // building the DL4J graph

    private ComputationGraph build(long[] input, List<String> outputs) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(0)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs(inputName)
                .setInputTypes(input.length == 3 ? InputType.convolutional(input[1], input[2], input[0])
                        : InputType.feedForward(input[0]));
        Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();
        for (Emit e : emits.values()) {
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
                addConvolution(gb, c, params);
            }
        }
        gb.setOutputs(outputs.toArray(String[]::new));
        ComputationGraph graph;
        try {
            graph = new ComputationGraph(gb.build());
            graph.init();
        } catch (RuntimeException e) {
            throw new GraftException(file.getFileName() + ": the converted graph is not valid in DL4J: "
                    + e.getMessage(), "Report this model to Graft's developers.", e);
        }
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

    private static void addConvolution(ComputationGraphConfiguration.GraphBuilder gb, ConvEmit c,
                                       Map<String, Map<String, INDArray>> params) {
        long out = c.outputs();
        boolean bias = c.bias != null;
        if (c.group == 1) {
            gb.addLayer(c.name, convLayer(c, c.inChannels, out), c.inputs);
            params.put(c.name, weightsAndBias(c.weight, c.bias));
        } else if (c.group == c.inChannels) {
            // depthwise: ONNX [C*m, 1, kH, kW] with output channel c*m + j; DL4J [kH, kW, C, m], same order
            long m = out / c.inChannels;
            Layer layer = new DepthwiseConvolution2D.Builder(c.kernel[0], c.kernel[1])
                    .stride(c.stride).padding(c.padding).dilation(c.dilation)
                    .nIn(c.inChannels).depthMultiplier((int) m).nOut(out)
                    .hasBias(bias).activation(c.activation).convolutionMode(ConvolutionMode.Truncate).build();
            gb.addLayer(c.name, layer, c.inputs);
            INDArray w = c.weight.reshape(c.inChannels, m, c.kernel[0], c.kernel[1]).permute(2, 3, 0, 1).dup('c');
            params.put(c.name, weightsAndBias(w, c.bias));
        } else {
            // grouped: one convolution per group on its slice of the channels, joined again
            long inPer = c.inChannels / c.group;
            long outPer = out / c.group;
            String[] parts = new String[c.group];
            for (int g = 0; g < c.group; g++) {
                String slice = c.name + "/group" + g + "/in";
                gb.addVertex(slice, new ChannelSliceVertex((int) (g * inPer), (int) ((g + 1) * inPer)), c.inputs);
                parts[g] = c.name + "/group" + g;
                gb.addLayer(parts[g], convLayer(c, inPer, outPer), slice);
                INDArray w = c.weight.get(NDArrayIndex.interval(g * outPer, (g + 1) * outPer)).dup('c');
                INDArray b = bias ? c.bias.get(NDArrayIndex.interval(g * outPer, (g + 1) * outPer)).dup() : null;
                params.put(parts[g], weightsAndBias(w, b));
            }
            gb.addVertex(c.name, new MergeVertex(), parts);
        }
    }

    private static Layer convLayer(ConvEmit c, long in, long out) {
        return new ConvolutionLayer.Builder(c.kernel[0], c.kernel[1])
                .stride(c.stride).padding(c.padding).dilation(c.dilation)
                .nIn(in).nOut(out).hasBias(c.bias != null).activation(c.activation)
                .convolutionMode(ConvolutionMode.Truncate).build();
    }

    private static Map<String, INDArray> weightsAndBias(INDArray w, INDArray b) {
        return b == null ? Map.of("W", w) : Map.of("W", w, "b", b);
    }
}
