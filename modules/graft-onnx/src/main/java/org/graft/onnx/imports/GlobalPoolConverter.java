package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Value.Act;

import java.util.Map;

/** GlobalAveragePool, GlobalMaxPool: a GlobalPoolingLayer giving [C,1,1], as ONNX keeps it. */
final class GlobalPoolConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Act x = ctx.spatial(n, 0);
        PoolingType type = n.op().equals("GlobalMaxPool") ? PoolingType.MAX : PoolingType.AVG;
        if (!ctx.channelsLast()) {
            String name = ctx.unique(n.name());
            // DL4J keeps [N, C, 1, 1] without collapsing, so that 1x1 convolutions can follow (SE blocks)
            ctx.emit(new LayerEmit(name, new GlobalPoolingLayer.Builder(type).collapseDimensions(false).build(),
                    Map.of(), x.vertex()));
            ctx.bind(n.output(), new Act(name, new long[]{x.channels(), 1, 1}));
            return;
        }
        // DL4J's collapseDimensions(false) is wrong for NHWC ([N, H, 1, 1]): pool to [N, C], then reshape
        String pooled = ctx.emitPrivate(new LayerEmit(ctx.unique(n.name()),
                new GlobalPoolingLayer.Builder(type).poolingDimensions(1, 2).build(), Map.of(), x.vertex()));
        ctx.bind(n.output(), ReshapeConverter.oneByOne(ctx.unique(n.name() + "/map"),
                new Act(pooled, new long[]{x.channels()}), ctx));
    }
}
