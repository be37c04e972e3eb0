package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Concat along the channels (axis 1): a MergeVertex. */
final class ConcatConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        List<Act> parts = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            parts.add(ctx.act(n, i));
        }
        Act first = parts.get(0);
        long axis = n.getInt("axis", 1);
        int rank = first.shape().length + 1;
        if (axis != 1 && axis != 1 - rank) {
            throw ctx.unsupported(n, "concatenation along axis " + axis + " (supported: channels, axis 1)");
        }
        long channels = 0;
        long[] rest = Arrays.copyOfRange(first.shape(), 1, first.shape().length);
        for (Act p : parts) {
            if (p.shape().length != first.shape().length
                    || !Arrays.equals(rest, Arrays.copyOfRange(p.shape(), 1, p.shape().length))) {
                throw ctx.unsupported(n, "inputs of shapes " + parts.stream().map(a -> Arrays.toString(a.shape()))
                        .toList());
            }
            channels += p.shape()[0];
        }
        String name = ctx.unique(n.name());
        ctx.emit(new VertexEmit(name, new MergeVertex(), parts.stream().map(Act::vertex).toArray(String[]::new)));
        long[] shape = first.shape().clone();
        shape[0] = channels;
        ctx.bind(n.output(), new Act(name, shape));
    }
}
