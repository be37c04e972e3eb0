package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.preprocessors.ReshapePreprocessor;
import org.graft.model.layers.BroadcastMultiplyVertex;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.model.layers.ChannelSliceVertex;
import org.graft.model.layers.ConstantPadVertex;

import java.util.Map;
import java.util.Optional;

/**
 * DL4J class → exporter: the one list of what Graft exports (layers, graph vertices, input preprocessors). To
 * export another DL4J class, write its exporter and register it here. Activations are not listed here: they
 * follow the shared table {@code org.graft.onnx.OnnxActivations}.
 */
final class ExportRegistry {
    private static final ClassRegistry<Layer, LayerExporter<Layer>> LAYERS = layers();
    private static final ClassRegistry<GraphVertex, VertexExporter<GraphVertex>> VERTICES = vertices();
    private static final ClassRegistry<InputPreProcessor, PreprocessorExporter<InputPreProcessor>> PREPROCESSORS =
            preprocessors();

    private ExportRegistry() {
    }

    static Optional<LayerExporter<Layer>> layer(Layer layer) {
        return LAYERS.find(layer);
    }

    static Optional<VertexExporter<GraphVertex>> vertex(GraphVertex vertex) {
        return VERTICES.find(vertex);
    }

    static Optional<PreprocessorExporter<InputPreProcessor>> preprocessor(InputPreProcessor preprocessor) {
        return PREPROCESSORS.find(preprocessor);
    }

    private static ClassRegistry<Layer, LayerExporter<Layer>> layers() {
        LayerRegistrar r = new LayerRegistrar();
        // exactly these classes: DL4J's subclasses of ConvolutionLayer, SubsamplingLayer and OutputLayer differ
        r.exact(ConvolutionLayer.class, ConvolutionExporter::plain);
        r.exact(SubsamplingLayer.class, PoolingExporter::pool);
        r.exact(OutputLayer.class, DenseExporter::export);
        r.withSubclasses(DepthwiseConvolution2D.class, ConvolutionExporter::depthwise);
        r.withSubclasses(BatchNormalization.class, BatchNormExporter::export);
        r.withSubclasses(DenseLayer.class, DenseExporter::export);
        r.withSubclasses(GlobalPoolingLayer.class, PoolingExporter::global);
        r.withSubclasses(ZeroPaddingLayer.class, VertexExporters::zeroPadding);
        r.withSubclasses(ActivationLayer.class, (v, a, x, ctx) -> ctx.activation(v, x, a.getActivationFn()));
        r.withSubclasses(DropoutLayer.class, (v, d, x, ctx) -> x); // inference
        return r.builder.build();
    }

    private static ClassRegistry<GraphVertex, VertexExporter<GraphVertex>> vertices() {
        VertexRegistrar r = new VertexRegistrar();
        r.add(ElementWiseVertex.class, VertexExporters::elementWise);
        r.add(MergeVertex.class, (v, m, in, ctx) -> ctx.out().node("Concat", in, Map.of("axis", 1L)));
        r.add(ReshapeVertex.class, ShapeExporter::reshapeVertex);
        r.add(ChannelAffineVertex.class, VertexExporters::channelAffine);
        r.add(BroadcastMultiplyVertex.class, (v, b, in, ctx) -> ctx.out().node("Mul", in, Map.of()));
        r.add(ConstantPadVertex.class, VertexExporters::constantPad);
        r.add(ChannelSliceVertex.class, VertexExporters::channelSlice);
        return r.builder.build();
    }

    private static ClassRegistry<InputPreProcessor, PreprocessorExporter<InputPreProcessor>> preprocessors() {
        ClassRegistry.Builder<InputPreProcessor, PreprocessorExporter<InputPreProcessor>> b = ClassRegistry.builder();
        b.withSubclasses(CnnToFeedForwardPreProcessor.class,
                (v, p, x, ctx) -> ShapeExporter.flatten(v, (CnnToFeedForwardPreProcessor) p, x, ctx));
        b.withSubclasses(ReshapePreprocessor.class,
                (v, p, x, ctx) -> ShapeExporter.reshapePreprocessor(v, (ReshapePreprocessor) p, x, ctx));
        return b.build();
    }

    /** Registers typed layer exporters behind the untyped lookup (the cast is safe: looked up by class). */
    private static final class LayerRegistrar {
        final ClassRegistry.Builder<Layer, LayerExporter<Layer>> builder = ClassRegistry.builder();

        <L extends Layer> void exact(Class<L> type, LayerExporter<L> e) {
            builder.exact(type, (v, l, x, ctx) -> e.export(v, type.cast(l), x, ctx));
        }

        <L extends Layer> void withSubclasses(Class<L> type, LayerExporter<L> e) {
            builder.withSubclasses(type, (v, l, x, ctx) -> e.export(v, type.cast(l), x, ctx));
        }
    }

    /** Registers typed vertex exporters (with their subclasses) behind the untyped lookup. */
    private static final class VertexRegistrar {
        final ClassRegistry.Builder<GraphVertex, VertexExporter<GraphVertex>> builder = ClassRegistry.builder();

        <V extends GraphVertex> void add(Class<V> type, VertexExporter<V> e) {
            builder.withSubclasses(type, (v, g, in, ctx) -> e.export(v, type.cast(g), in, ctx));
        }
    }
}
