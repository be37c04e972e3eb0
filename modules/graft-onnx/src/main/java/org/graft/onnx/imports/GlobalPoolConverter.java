package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.graft.onnx.imports.Emit.LayerEmit;
import org.graft.onnx.imports.Value.Act;

import java.util.Map;

/** GlobalAveragePool, GlobalMaxPool: a GlobalPoolingLayer keeping [C,1,1]. */
final class GlobalPoolConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        Act x = ctx.spatial(n, 0);
        PoolingType type = n.op().equals("GlobalMaxPool") ? PoolingType.MAX : PoolingType.AVG;
        String name = ctx.unique(n.name());
        // ONNX keeps [N, C, 1, 1]; so does DL4J without collapsing, so that 1x1 convolutions can follow (SE blocks)
        ctx.emit(new LayerEmit(name, new GlobalPoolingLayer.Builder(type).collapseDimensions(false).build(),
                Map.of(), x.vertex()));
        ctx.bind(n.output(), new Act(name, new long[]{x.channels(), 1, 1}));
    }
}
