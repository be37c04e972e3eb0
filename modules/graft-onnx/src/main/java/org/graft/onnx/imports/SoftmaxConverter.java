package org.graft.onnx.imports;

import org.graft.onnx.OnnxActivations;
import org.graft.onnx.imports.Value.Act;

/**
 * Softmax over the classes of a [batch, classes] tensor. The default axis is 1 before opset 13 and -1 from 13
 * (where the op's meaning changed from "flatten from axis" to "along axis"; the same for a 2-D tensor).
 */
final class SoftmaxConverter implements OpConverter {
    private final long defaultAxis;

    SoftmaxConverter(long defaultAxis) {
        this.defaultAxis = defaultAxis;
    }

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Act x = ctx.act(n, 0);
        long axis = n.getInt("axis", defaultAxis);
        if (x.spatial() || !(axis == 1 || axis == -1)) {
            throw ctx.unsupported(n, "softmax over axis " + axis + " of a " + (x.shape().length + 1)
                    + "-D tensor (Graft supports softmax over the classes of a [batch, classes] tensor)");
        }
        ActivationConverter.apply(n, x, OnnxActivations.toDl4j("Softmax", (name, fallback) -> fallback), ctx);
    }
}
