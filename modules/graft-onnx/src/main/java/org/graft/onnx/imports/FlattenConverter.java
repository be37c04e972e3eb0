package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;
import org.graft.onnx.imports.Value.ChannelsLast;

import java.util.Arrays;

/**
 * Flatten from axis 1 (each image to one vector): a CnnToFeedForwardPreProcessor, which flattens the DL4J map in
 * its own order. That is ONNX's C, H, W order for a map in an NCHW graph, and H, W, C order (a Transpose to NHWC
 * first) in an NHWC graph; the other two cases would need a permutation and are refused unless the map is 1x1.
 */
final class FlattenConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Value x = ctx.value(n, 0);
        int rank = x instanceof ChannelsLast ? 4 : ctx.act(n, 0).shape().length + 1;
        long axis = n.getInt("axis", 1);
        if (axis != 1 && axis != 1 - rank) {
            throw ctx.unsupported(n, "axis " + axis + " (Graft flattens each image to one vector: axis 1)");
        }
        toVector(n, x, ctx);
    }

    /** x (a map, channels-last or not, or a vector) as one vector per image: itself if it is one already. */
    static void toVector(OnnxNode n, Value x, ConversionContext ctx) {
        boolean channelsLastOrder = x instanceof ChannelsLast;
        Act map = x instanceof ChannelsLast c ? c.map() : ctx.act(n, 0);
        if (!map.spatial()) {
            ctx.alias(n.output(), map);
            return;
        }
        boolean oneByOne = map.shape()[1] == 1 && map.shape()[2] == 1;
        if (!oneByOne && channelsLastOrder != ctx.channelsLast()) {
            throw ctx.unsupported(n, "flattening " + (channelsLastOrder ? "an NHWC" : "an NCHW") + " map "
                    + Arrays.toString(map.shape()) + " in a model that takes " + (ctx.channelsLast() ? "NHWC"
                    : "NCHW") + " images (that needs a permutation Graft does not build)");
        }
        Act vector = ctx.vectorOf(map.vertex());
        if (vector != null) {
            // a map that was a vector a moment ago (pooled features reshaped): that vector
            ctx.readThrough(n.output(), map, vector);
            return;
        }
        String name = ctx.unique(n.name());
        ctx.emit(new VertexEmit(name, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(map.shape()[1],
                map.shape()[2], map.channels(), ctx.format())), map.vertex()));
        ctx.bind(n.output(), new Act(name, new long[]{map.size()}));
    }
}
