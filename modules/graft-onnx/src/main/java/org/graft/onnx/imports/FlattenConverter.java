package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;

/** Flatten from axis 1 (each image to one vector): a CnnToFeedForwardPreProcessor, in ONNX's C, H, W order. */
final class FlattenConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Act x = ctx.act(n, 0);
        long axis = n.getInt("axis", 1);
        if (axis != 1 && axis != -(x.shape().length)) {
            throw ctx.unsupported(n, "axis " + axis + " (Graft flattens each image to one vector: axis 1)");
        }
        toVector(n, x, ctx);
    }

    /** x as one vector per image: itself if it is one already. */
    static void toVector(OnnxNode n, Act x, ConversionContext ctx) {
        if (!x.spatial()) {
            ctx.alias(n.output(), x);
            return;
        }
        String name = ctx.unique(n.name());
        // CnnToFeedForwardPreProcessor flattens NCHW in C, H, W order, as ONNX's Flatten does
        ctx.emit(new VertexEmit(name, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(x.shape()[1],
                x.shape()[2], x.channels())), x.vertex()));
        ctx.bind(n.output(), new Act(name, new long[]{x.size()}));
    }
}
