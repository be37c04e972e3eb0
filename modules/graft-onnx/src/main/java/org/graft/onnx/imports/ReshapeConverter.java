package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.preprocessors.ReshapePreprocessor;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;
import org.graft.onnx.imports.Value.ChannelsLast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * Reshape to [batch, features] (flattening each image, as torch writes x.view(x.size(0), -1)), and of a vector of
 * C values to a 1x1 map [batch, C, 1, 1] (how Graft's export writes Keras' Reshape(1, 1, C) of pooled features).
 */
final class ReshapeConverter implements OpConverter {
    private static final Logger log = LoggerFactory.getLogger(ReshapeConverter.class);

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 2);
        Value x = ctx.value(n, 0);
        long size = x instanceof ChannelsLast c ? c.map().size() : ctx.act(n, 0).size();
        long[] target = ctx.longs(n, 1, "shape");
        if (n.getInt("allowzero", 0) != 0 && Arrays.stream(target).anyMatch(d -> d == 0)) {
            throw ctx.unsupported(n, "allowzero=1 with a zero in the shape " + Arrays.toString(target));
        }
        boolean batchFirst = target.length >= 2 && (target[0] == -1 || target[0] == 0 || target[0] > 0);
        boolean flat = batchFirst && target.length == 2 && (target[1] == -1 || target[1] == size)
                && !(target[0] == -1 && target[1] == -1);
        boolean toMap = batchFirst && target.length == 4 && target[1] == size && target[2] == 1 && target[3] == 1
                && !(x instanceof ChannelsLast);
        if (!flat && !toMap) {
            throw ctx.unsupported(n, "a reshape of " + describe(x) + " to " + Arrays.toString(target)
                    + " (supported: [batch, features], i.e. flattening each image, and [batch, C, 1, 1] of C "
                    + "features)");
        }
        if (target[0] > 0) {
            log.warn("{}: {} fixes the batch size to {}; Graft reshapes each image separately.", ctx.file(),
                    n.describe(), target[0]);
        }
        if (flat) {
            FlattenConverter.toVector(n, x, ctx);
        } else {
            toMap(n, ctx.act(n, 0), ctx);
        }
    }

    /** C features as a 1x1 map of C channels (a map [C, 1, 1] already is one). */
    private static void toMap(OnnxNode n, Act x, ConversionContext ctx) {
        if (x.spatial()) {
            ctx.alias(n.output(), x);
            return;
        }
        ctx.bind(n.output(), oneByOne(ctx.unique(n.name()), x, ctx));
    }

    /**
     * Emits the vector x as a 1x1 map of x.size() channels, in the graph's layout, and notes which vector the map
     * holds (a Flatten after it reads the vector). ReshapeVertex's output type is NCHW whatever its input, and
     * ReshapePreprocessor's of a vector NHWC, hence one for each layout.
     */
    static Act oneByOne(String name, Act x, ConversionContext ctx) {
        long c = x.size();
        GraphVertex reshape = ctx.channelsLast()
                ? new PreprocessorVertex(new ReshapePreprocessor(new long[]{c}, new long[]{1, 1, c}, false,
                CNN2DFormat.NHWC))
                : new ReshapeVertex(-1, (int) c, 1, 1);
        ctx.emit(new VertexEmit(name, reshape, x.vertex()));
        ctx.noteOneByOne(name, x);
        return new Act(name, new long[]{c, 1, 1});
    }

    private static String describe(Value x) {
        return x instanceof ChannelsLast c ? "an NHWC map of " + Arrays.toString(c.map().shape()) + " (C, H, W)"
                : Arrays.toString(((Act) x).shape());
    }
}
