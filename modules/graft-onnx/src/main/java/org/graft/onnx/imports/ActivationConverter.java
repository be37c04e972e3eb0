package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.onnx.OnnxActivations;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.activations.IActivation;

import java.util.Map;

/**
 * The activations whose parameters are attributes (Relu, Sigmoid, Tanh, LeakyRelu, Elu, HardSigmoid, HardSwish),
 * mapped by the shared table {@link OnnxActivations}. Like every activation they become the activation of the
 * layer before where nothing else reads it, or an ActivationLayer ({@link #apply}), which works on a copy where
 * its input is read elsewhere too (DL4J's ActivationLayer overwrites its input at inference).
 */
final class ActivationConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Act x = ctx.act(n, 0);
        apply(n, x, OnnxActivations.toDl4j(n.op(), n::getFloat), ctx);
    }

    /** Makes {@code activation} the activation of the layer producing x where only this node reads it. */
    static void apply(OnnxNode n, Act x, IActivation activation, ConversionContext ctx) {
        WeightedEmit layer = ctx.absorbingLayer(x);
        if (layer != null) {
            layer.activation = activation;
            ctx.alias(n.output(), x);
            return;
        }
        String name = ctx.unique(n.name());
        String input = x.vertex();
        if (!ownsItsInput(x, ctx)) {
            // DL4J's ActivationLayer overwrites its input at inference: give it a copy (an identity affine map)
            input = ctx.emitPrivate(new VertexEmit(ctx.unique(name + "/copy"), new ChannelAffineVertex(
                    new double[]{1}, new double[]{0}, ctx.channelsLast()), input));
        }
        ctx.emit(new LayerEmit(name, new ActivationLayer.Builder().activation(activation).build(), Map.of(),
                input));
        ctx.bind(n.output(), new Act(name, x.shape()));
    }

    /**
     * True if an ActivationLayer may overwrite x: nothing else reads it, it is not the caller's input, and it is
     * not a reshape (which may share its input's values).
     */
    private static boolean ownsItsInput(Act x, ConversionContext ctx) {
        return ctx.readOnce(x) && !x.vertex().equals(ctx.inputVertex())
                && !(ctx.emitted(x.vertex()) instanceof VertexEmit v
                && (v.vertex instanceof ReshapeVertex || v.vertex instanceof PreprocessorVertex));
    }
}
