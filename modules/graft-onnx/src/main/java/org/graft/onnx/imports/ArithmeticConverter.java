package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.graft.model.layers.BroadcastMultiplyVertex;
import org.graft.model.layers.ChannelAffineVertex;
import org.graft.onnx.imports.Emit.VertexEmit;
import org.graft.onnx.imports.GatedActivations.Gate;
import org.graft.onnx.imports.Value.Act;
import org.graft.onnx.imports.Value.Const;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Add, Sub, Mul, Div. With a scalar or per-channel constant: folded into the layer before, or a
 * ChannelAffineVertex; of two tensors: an ElementWiseVertex, or a BroadcastMultiplyVertex for [C,H,W]·[C,1,1]
 * (squeeze-excitation); the Mul of an x·gate(x) pair: one activation of x.
 */
final class ArithmeticConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        Gate gate = ctx.gates().completedBy(n);
        if (gate != null) {
            gated(n, gate, ctx);
            return;
        }
        ctx.requireInputs(n, 2);
        Value a = ctx.value(n, 0);
        Value b = ctx.value(n, 1);
        if (a instanceof Const && b instanceof Const) {
            throw ctx.unsupported(n, "arithmetic on two constants (export with constant folding)");
        }
        if (a instanceof Const c) {
            withConstant(n, ctx.act(n, 1), c.array(), true, ctx);
        } else if (b instanceof Const c) {
            withConstant(n, ctx.act(n, 0), c.array(), false, ctx);
        } else {
            twoTensors(n, ctx.act(n, 0), ctx.act(n, 1), ctx);
        }
    }

    /** x * gate(x) is one activation of x; the gate node was skipped, so x has one reader fewer. */
    private static void gated(OnnxNode n, Gate gate, ConversionContext ctx) {
        Value v = ctx.valueOf(gate.x());
        if (!(v instanceof Act x)) {
            throw ctx.unsupported(n, "a gated activation of " + (v instanceof Value.ChannelsLast ? "an NHWC tensor"
                    : "a constant (export with constant folding)"));
        }
        ctx.dropReader(x);
        ActivationConverter.apply(n, x, gate.activation(), ctx);
    }

    private static void twoTensors(OnnxNode n, Act x, Act y, ConversionContext ctx) {
        if (Arrays.equals(x.shape(), y.shape())) {
            ElementWiseVertex.Op op = switch (n.op()) {
                case "Add" -> ElementWiseVertex.Op.Add;
                case "Sub" -> ElementWiseVertex.Op.Subtract;
                case "Mul" -> ElementWiseVertex.Op.Product;
                default -> throw ctx.unsupported(n, "division of one computed tensor by another");
            };
            String name = ctx.unique(n.name());
            ctx.emit(new VertexEmit(name, new ElementWiseVertex(op), x.vertex(), y.vertex()));
            ctx.bind(n.output(), new Act(name, x.shape()));
            return;
        }
        boolean squeezeExcite = n.op().equals("Mul") && x.spatial() && y.spatial() && x.channels() == y.channels()
                && (isChannelVector(y) || isChannelVector(x));
        if (!squeezeExcite) {
            throw ctx.unsupported(n, "broadcasting " + Arrays.toString(x.shape()) + " with "
                    + Arrays.toString(y.shape()) + " (supported: equal shapes, and multiplying [C,H,W] by [C,1,1])");
        }
        String name = ctx.unique(n.name());
        ctx.emit(new VertexEmit(name, new BroadcastMultiplyVertex(), x.vertex(), y.vertex()));
        ctx.bind(n.output(), new Act(name, isChannelVector(x) ? y.shape() : x.shape()));
    }

    private static boolean isChannelVector(Act a) {
        return a.shape()[1] == 1 && a.shape()[2] == 1;
    }

    /** x (op) c or c (op) x with c a scalar or per-channel constant: folded into x's layer where possible. */
    private static void withConstant(OnnxNode n, Act x, INDArray c, boolean constantFirst, ConversionContext ctx) {
        double[] v = perChannel(n, x, c, ctx);
        double[] scale;
        double[] offset;
        switch (n.op()) {
            case "Add" -> {
                scale = new double[]{1};
                offset = v;
            }
            case "Sub" -> {
                scale = new double[]{constantFirst ? -1 : 1};
                offset = constantFirst ? v : negate(v);
            }
            case "Mul" -> {
                scale = v;
                offset = new double[]{0};
            }
            case "Div" -> {
                if (constantFirst) {
                    throw ctx.unsupported(n, "dividing a constant by a computed tensor");
                }
                scale = Arrays.stream(v).map(d -> 1 / d).toArray();
                offset = new double[]{0};
            }
            default -> throw new IllegalStateException(n.op() + " is not arithmetic");
        }
        WeightedEmit layer = ctx.absorbingLayer(x);
        if (layer != null) {
            long outs = layer.outputs();
            layer.scaleOutputs(expand(scale, outs));
            layer.biasOrZeros().addi(expand(offset, outs));
            ctx.alias(n.output(), x);
            return;
        }
        String name = ctx.unique(n.name());
        ctx.emit(new VertexEmit(name, new ChannelAffineVertex(scale, offset, ctx.channelsLast()), x.vertex()));
        ctx.bind(n.output(), new Act(name, x.shape()));
    }

    /** The constant as one value or one value per channel; any other broadcast is refused. */
    private static double[] perChannel(OnnxNode n, Act x, INDArray c, ConversionContext ctx) {
        long[] shape = c.shape();
        if (c.length() == 1) {
            return c.castTo(DataType.DOUBLE).data().asDouble();
        }
        int lead = 0;
        while (lead < shape.length && shape[lead] == 1 && shape.length - lead > x.shape().length) {
            lead++;
        }
        long[] core = Arrays.copyOfRange(shape, lead, shape.length);
        long[] perChannel = x.spatial() ? new long[]{x.channels(), 1, 1} : new long[]{x.shape()[0]};
        if (!Arrays.equals(core, perChannel)) {
            throw ctx.unsupported(n, "a constant of shape " + Arrays.toString(shape) + " on a tensor of shape "
                    + Arrays.toString(x.shape()) + " (supported: a scalar or one value per channel)");
        }
        return c.castTo(DataType.DOUBLE).data().asDouble();
    }

    private static double[] negate(double[] v) {
        return Arrays.stream(v).map(d -> -d).toArray();
    }

    private static INDArray expand(double[] v, long n) {
        return v.length == 1 ? Nd4j.valueArrayOf(new long[]{n}, v[0], DataType.FLOAT)
                : Nd4j.createFromArray(v).castTo(DataType.FLOAT);
    }
}
