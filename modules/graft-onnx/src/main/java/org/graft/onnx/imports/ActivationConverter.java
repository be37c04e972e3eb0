package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.graft.onnx.OnnxActivations;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.activations.IActivation;

import java.util.Map;

/**
 * The activations whose parameters are attributes (Relu, Sigmoid, Tanh, LeakyRelu, Elu, HardSigmoid, HardSwish),
 * mapped by the shared table {@link OnnxActivations}. Like every activation they become the activation of the
 * layer before where nothing else reads it, or an ActivationLayer ({@link #apply}).
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
        ctx.emit(new LayerEmit(name, new ActivationLayer.Builder().activation(activation).build(), Map.of(),
                x.vertex()));
        ctx.bind(n.output(), new Act(name, x.shape()));
    }
}
