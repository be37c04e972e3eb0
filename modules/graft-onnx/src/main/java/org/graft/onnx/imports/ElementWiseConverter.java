package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.Value.Act;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Mean and Max of computed tensors of one shape (how Graft's export writes an ElementWiseVertex's Average and
 * Max): an ElementWiseVertex; of one tensor, that tensor. Broadcasting and constants are refused.
 */
final class ElementWiseConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        ctx.requireInputs(n, 1);
        List<Act> in = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            in.add(ctx.act(n, i));
        }
        for (Act a : in) {
            if (!Arrays.equals(a.shape(), in.get(0).shape())) {
                throw ctx.unsupported(n, "inputs of shapes " + in.stream().map(x -> Arrays.toString(x.shape()))
                        .toList() + " (supported: one shape, no broadcasting)");
            }
        }
        if (in.size() == 1) {
            ctx.alias(n.output(), in.get(0));
            return;
        }
        ElementWiseVertex.Op op = switch (n.op()) {
            case "Mean" -> ElementWiseVertex.Op.Average;
            case "Max" -> ElementWiseVertex.Op.Max;
            default -> throw new IllegalStateException(n.op() + " is not Mean or Max");
        };
        String name = ctx.unique(n.name());
        ctx.emit(new VertexEmit(name, new ElementWiseVertex(op), in.stream().map(Act::vertex)
                .toArray(String[]::new)));
        ctx.bind(n.output(), new Act(name, in.get(0).shape()));
    }
}
