package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Value.Act;
import org.nd4j.linalg.activations.Activation;

import java.util.Map;

/**
 * BatchNormalization (inference): a DL4J BatchNormalization with identity activation (DL4J never applies a
 * BatchNorm's configured activation, whose default is sigmoid; identity says what it does). Folding it into the
 * convolution before it is {@code org.graft.model.BatchNormFolding}'s job, after conversion.
 */
final class BatchNormConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        if (n.getInt("training_mode", 0) != 0 || n.outputs().stream().skip(1).anyMatch(o -> ctx.consumers(o) > 0)) {
            throw ctx.unsupported(n, "training-mode batch statistics (export the model in eval mode)");
        }
        ctx.requireInputs(n, 5);
        Act x = ctx.act(n, 0);
        long c = x.channels();
        var gamma = ctx.vector(n, 1, c, "scale");
        var beta = ctx.vector(n, 2, c, "bias");
        var mean = ctx.vector(n, 3, c, "mean");
        var var = ctx.vector(n, 4, c, "variance");
        double eps = n.getFloat("epsilon", 1e-5f);
        String name = ctx.unique(n.name());
        Layer bn = new BatchNormalization.Builder().nIn(c).nOut(c).eps(eps).useLogStd(false)
                .activation(Activation.IDENTITY).dataFormat(ctx.format()).build();
        ctx.emit(new LayerEmit(name, bn, Map.of("gamma", gamma, "beta", beta, "mean", mean, "var", var), x.vertex()));
        ctx.bind(n.output(), new Act(name, x.shape()));
    }
}
