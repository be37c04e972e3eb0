package org.graft.onnx.imports;

/** Identity and Dropout (at inference): the output is the input. Dropout's mask output is refused. */
final class PassThroughConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        for (int i = 1; i < n.outputs().size(); i++) {
            if (ctx.consumers(n.outputs().get(i)) > 0) {
                throw ctx.unsupported(n, "its mask output (training-time dropout)");
            }
        }
        ctx.alias(n.output(), ctx.value(n, 0));
    }
}
