package org.graft.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.preprocessors.ReshapePreprocessor;
import org.graft.common.Json;
import org.graft.data.Preprocessing;
import org.graft.model.layers.BroadcastMultiplyVertex;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.model.layers.ChannelSliceVertex;
import org.graft.model.layers.ConstantPadVertex;
import org.graft.onnx.export.OnnxExporter;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * DL4J graphs built directly (graft-onnx's tests cannot use graft-backbone's Keras import), with seeded random
 * weights, biases and BatchNorm statistics (zeros would hide a dropped bias), and their exports with Graft's
 * metadata, as {@code graft export} writes them.
 */
public final class Dl4jGraphs {
    private static final CNN2DFormat NHWC = CNN2DFormat.NHWC;

    /** A graph, how it wants its images, and its labels. */
    public record Model(String name, ComputationGraph graph, Preprocessing preprocessing, List<String> labels) {
        /** The export with graft.labels and graft.preprocessing, as graft export writes it. */
        public byte[] export() {
            return OnnxExporter.export(graph, preprocessing, metadata(labels, preprocessing)).toByteArray();
        }

        /** Random images in the graph's own layout. */
        public INDArray input(int batch, long seed) {
            return randomInput(preprocessing.shape(batch), seed);
        }
    }

    private Dl4jGraphs() {
    }

    /** The fixture names of the graphs' exports (for the fuzz and hostile-file tests), and how to build each. */
    public static final Map<String, Supplier<Model>> EXPORTS = Map.of(
            "graft-nhwc.onnx", Dl4jGraphs::kerasLikeNhwc,
            "graft-flatten.onnx", Dl4jGraphs::nhwcFlatten,
            "graft-nchw.onnx", Dl4jGraphs::nchwVertices);

    /** Every graph below. */
    public static List<Model> all() {
        return List.of(kerasLikeNhwc(), nhwcFlatten(), nchwVertices());
    }

    /**
     * A Keras import in miniature, NHWC throughout: Normalization, ZeroPadding, stem convolution with BatchNorm and
     * swish, a depthwise convolution (Same) with ReLU6 as Keras' ReLU(max_value=6) imports, a squeeze-excitation
     * block (pooling, Reshape(1, 1, C), 1x1 convolutions, broadcast multiply), a residual Add, max and average
     * pooling (Same, padding excluded) concatenated and averaged, LeakyReLU, and Graft's head: global pooling,
     * dropout, softmax output. 20x18 images, so that height and width cannot be confused.
     */
    public static Model kerasLikeNhwc() {
        ComputationGraphConfiguration.GraphBuilder g = builder().addInputs("input_1")
                .setInputTypes(InputType.convolutional(20, 18, 3, NHWC))
                .addVertex("normalization", new ChannelAffineVertex(new double[]{1 / 0.229, 1 / 0.224, 1 / 0.225},
                        new double[]{-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225}, true), "input_1")
                .addLayer("stem_pad", new ZeroPaddingLayer.Builder(0, 1, 0, 1).dataFormat(NHWC).build(),
                        "normalization")
                .addLayer("stem_conv", conv(3, 8, 2).convolutionMode(ConvolutionMode.Truncate).hasBias(false)
                        .build(), "stem_pad")
                .addLayer("stem_bn", bn(8), "stem_conv")
                .addLayer("stem_act", new ActivationLayer.Builder().activation(Activation.SWISH).build(), "stem_bn")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).nIn(8).depthMultiplier(1).nOut(8)
                        .convolutionMode(ConvolutionMode.Same).hasBias(false).activation(Activation.IDENTITY)
                        .dataFormat(NHWC).build(), "stem_act")
                .addLayer("dw_bn", bn(8), "dw")
                .addLayer("dw_relu6", new ActivationLayer.Builder().activation(new ActivationReLU(6.0, 0.0, 0.0))
                        .build(), "dw_bn")
                .addLayer("se_squeeze", new GlobalPoolingLayer.Builder(PoolingType.AVG).poolingDimensions(1, 2)
                        .build(), "dw_relu6")
                .addVertex("se_reshape", new PreprocessorVertex(new ReshapePreprocessor(new long[]{8},
                        new long[]{1, 1, 8}, false, NHWC)), "se_squeeze")
                .addLayer("se_reduce", conv(1, 2, 1).activation(Activation.SWISH).build(), "se_reshape")
                .addLayer("se_expand", conv(1, 8, 1).activation(Activation.SIGMOID).build(), "se_reduce")
                .addVertex("se_excite", new BroadcastMultiplyVertex(), "dw_relu6", "se_expand")
                .addLayer("project", conv(1, 8, 1).hasBias(false).build(), "se_excite")
                .addLayer("project_bn", bn(8), "project")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "project_bn", "stem_act")
                .addLayer("max_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(NHWC).build(), "add")
                .addLayer("avg_pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).avgPoolIncludePadInDivisor(false).dataFormat(NHWC)
                        .build(), "add")
                .addVertex("concat", new MergeVertex(), "max_pool", "avg_pool")
                .addVertex("mean", new ElementWiseVertex(ElementWiseVertex.Op.Average), "max_pool", "avg_pool")
                .addVertex("concat_2", new MergeVertex(), "concat", "mean")
                .addLayer("top_conv", conv(1, 12, 1).activation(new ActivationLReLU(0.1)).build(), "concat_2")
                .addLayer("avg_pool_top", new GlobalPoolingLayer.Builder(PoolingType.AVG).poolingDimensions(1, 2)
                        .build(), "top_conv")
                .addLayer("dropout", new DropoutLayer.Builder(0.5).build(), "avg_pool_top")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "dropout")
                .setOutputs("output");
        Preprocessing pre = new Preprocessing(24, 20, 18, Preprocessing.ChannelOrder.RGB, 1 / 255.0,
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NHWC,
                Preprocessing.Interpolation.BILINEAR);
        return new Model("keras-like NHWC", init(g, 1), pre, List.of("cat", "dog", "하늘", "z"));
    }

    /** NHWC with a dense layer on a feature map: DL4J flattens it in H, W, C order (a Transpose in the export). */
    public static Model nhwcFlatten() {
        ComputationGraphConfiguration.GraphBuilder g = builder().addInputs("image")
                .setInputTypes(InputType.convolutional(8, 6, 3, NHWC))
                .addLayer("conv", conv(3, 4, 2).convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU)
                        .build(), "image")
                .addLayer("dense", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "conv")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("output");
        Preprocessing pre = new Preprocessing(8, 8, 6, Preprocessing.ChannelOrder.BGR, 1 / 127.5,
                new double[]{1, 1, 1}, new double[]{1, 1, 1}, Preprocessing.Layout.NHWC,
                Preprocessing.Interpolation.AREA);
        return new Model("NHWC flatten", init(g, 2), pre, List.of("a", "b", "c"));
    }

    /**
     * NCHW with what the ONNX fixtures' imports never produce: Same convolution and pooling (asymmetric padding),
     * ElementWiseVertex Average, Max and Subtract, a grouped convolution as Graft imports one (channel slices and a
     * merge), a -1 padding, and Reshape of pooled features to a 1x1 map.
     */
    public static Model nchwVertices() {
        ComputationGraphConfiguration.GraphBuilder g = builder().addInputs("in")
                .setInputTypes(InputType.convolutional(9, 7, 3))
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(6).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("b", new ConvolutionLayer.Builder(1, 1).nOut(6).activation(Activation.TANH).build(), "in")
                .addVertex("avg", new ElementWiseVertex(ElementWiseVertex.Op.Average), "a", "b")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "a", "b")
                .addVertex("sub", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "a", "b")
                .addVertex("merge", new MergeVertex(), "avg", "max", "sub")
                .addVertex("slice0", new ChannelSliceVertex(0, 9), "merge")
                .addVertex("slice1", new ChannelSliceVertex(9, 18), "merge")
                .addLayer("group0", new ConvolutionLayer.Builder(1, 1).nIn(9).nOut(4).build(), "slice0")
                .addLayer("group1", new ConvolutionLayer.Builder(1, 1).nIn(9).nOut(4).build(), "slice1")
                .addVertex("grouped", new MergeVertex(), "group0", "group1")
                .addVertex("pad", new ConstantPadVertex(1, 0, 0, 0, -1), "grouped")
                .addLayer("avg_pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).avgPoolIncludePadInDivisor(false).build(), "pad")
                .addLayer("max_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).build(), "avg_pool")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "max_pool")
                .addVertex("reshape", new ReshapeVertex(-1, 8, 1, 1), "pool")
                .addLayer("conv1x1", new ConvolutionLayer.Builder(1, 1).nIn(8).nOut(5)
                        .activation(Activation.HARDSIGMOID).build(), "reshape")
                .addLayer("pool2", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv1x1")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool2")
                .setOutputs("output");
        Preprocessing pre = new Preprocessing(10, 9, 7, Preprocessing.ChannelOrder.RGB, 1 / 255.0,
                new double[]{0.485, 0.456, 0.406}, new double[]{0.229, 0.224, 0.225}, Preprocessing.Layout.NCHW,
                Preprocessing.Interpolation.BICUBIC);
        return new Model("NCHW vertices", init(g, 3), pre, List.of("x", "y", "z"));
    }

    /** graft.labels and graft.preprocessing as graft export writes them (compact JSON). */
    public static Map<String, String> metadata(List<String> labels, Preprocessing preprocessing) {
        var compact = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
        try {
            return Map.of("graft.labels", compact.writeValueAsString(labels),
                    "graft.preprocessing", compact.writeValueAsString(preprocessing));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Uniform values in [-1, 2): negative ones reach every activation's and padding's corners. */
    public static INDArray randomInput(long[] shape, long seed) {
        return uniform(shape, new Random(seed)).muli(3).subi(1);
    }

    /** Uniform values in [0, 1). */
    private static INDArray uniform(long[] shape, Random r) {
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static ComputationGraphConfiguration.GraphBuilder builder() {
        return new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT).graphBuilder();
    }

    private static ConvolutionLayer.Builder conv(int k, int out, int stride) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).nOut(out).activation(Activation.IDENTITY)
                .dataFormat(NHWC);
    }

    private static BatchNormalization bn(int c) {
        return new BatchNormalization.Builder().nIn(c).nOut(c).dataFormat(NHWC).build();
    }

    /** The graph with every bias and BatchNorm parameter random (seeded). */
    private static ComputationGraph init(ComputationGraphConfiguration.GraphBuilder g, long seed) {
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        Random r = new Random(seed);
        for (var layer : graph.getLayers()) {
            Map<String, INDArray> p = layer.paramTable();
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                p.get("gamma").assign(uniform(p.get("gamma").shape(), r).addi(0.5));
                p.get("beta").assign(uniform(p.get("beta").shape(), r).subi(0.5));
                p.get("mean").assign(uniform(p.get("mean").shape(), r).subi(0.5).muli(0.2));
                // DL4J's default keeps log10(sqrt(var + eps)): a standard deviation of 0.7 to 1.2
                String spread = p.containsKey("var") ? "var" : "log10stdev";
                INDArray var = uniform(p.get(spread).shape(), r).addi(0.5);
                p.get(spread).assign(spread.equals("var") ? var
                        : org.nd4j.linalg.ops.transforms.Transforms.log(var, 10).muli(0.5));
            } else if (p.containsKey("b")) {
                p.get("b").assign(uniform(p.get("b").shape(), r).subi(0.5).muli(0.2));
            }
        }
        return graph;
    }
}
