package org.graft.onnx.imports;

import org.graft.onnx.imports.Value.Act;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/** Reshape to [batch, features] (flattening each image, as torch writes x.view(x.size(0), -1)). */
final class ReshapeConverter implements OpConverter {
    private static final Logger log = LoggerFactory.getLogger(ReshapeConverter.class);

    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 2);
        Act x = ctx.act(n, 0);
        long[] target = ctx.longs(n, 1, "shape");
        boolean batchFirst = target.length == 2 && (target[0] == -1 || target[0] == 0 || target[0] > 0);
        boolean flat = batchFirst && (target[1] == -1 || target[1] == x.size())
                && !(target[0] == -1 && target[1] == -1);
        if (!flat) {
            throw ctx.unsupported(n, "a reshape of " + Arrays.toString(x.shape()) + " to " + Arrays.toString(target)
                    + " (supported: [batch, features], i.e. flattening each image)");
        }
        if (target[0] > 0) {
            log.warn("{}: {} fixes the batch size to {}; Graft reshapes each image separately.", ctx.file(),
                    n.describe(), target[0]);
        }
        FlattenConverter.toVector(n, x, ctx);
    }
}
