package org.graft.onnx.export;

import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The protobuf side of an export: nodes, initializers and value infos of one ONNX graph, with fresh names. */
final class OnnxGraphWriter {
    private final Onnx.GraphProto.Builder out = Onnx.GraphProto.newBuilder().setName("graft");
    private int counter;

    /** A node with one output, named after its op; returns the output's name. */
    String node(String op, List<String> inputs, Map<String, Object> attrs) {
        return node(op, inputs, attrs, op.toLowerCase() + "_" + (counter++));
    }

    String node(String op, List<String> inputs, Map<String, Object> attrs, String output) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        inputs.forEach(n::addInput);
        new TreeMap<>(attrs).forEach((k, v) -> n.addAttribute(attribute(k, v))); // the same bytes every run
        out.addNode(n);
        return output;
    }

    /** op applied pairwise from the left: a op b op c. */
    String chain(String op, List<String> in) {
        String acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            acc = node(op, List.of(acc, in.get(i)), Map.of());
        }
        return acc;
    }

    /** A float initializer holding {@code value} (C order). */
    String constant(INDArray value) {
        String name = "const_" + (counter++);
        INDArray v = value.castTo(DataType.FLOAT).dup('c');
        ByteBuffer bytes = ByteBuffer.allocate((int) (4 * v.length())).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(v.data().asFloat());
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : v.shape()) {
            t.addDims(d);
        }
        out.addInitializer(t);
        return name;
    }

    String scalar(double value) {
        return constant(Nd4j.scalar((float) value));
    }

    /** An int64 initializer (shapes, pads, slice bounds). */
    String longs(long... values) {
        String name = "ints_" + (counter++);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7)
                .addDims(values.length);
        for (long l : values) {
            t.addInt64Data(l);
        }
        out.addInitializer(t);
        return name;
    }

    /** Constant padding of an NCHW map's height and width. */
    String pad(String x, int top, int left, int bottom, int right, double value) {
        return node("Pad", List.of(x, longs(0, 0, top, left, 0, 0, bottom, right), scalar(value)),
                Map.of("mode", "constant"));
    }

    void addInput(String name, long[] shape) {
        out.addInput(valueInfo(name, shape));
    }

    void addOutput(String name, long[] shape) {
        out.addOutput(valueInfo(name, shape));
    }

    Onnx.GraphProto build() {
        return out.build();
    }

    private static Onnx.AttributeProto attribute(String name, Object v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Float f) {
            a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof String s) {
            a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (v instanceof long[] ls) {
            a.setType(Onnx.AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else {
            throw new IllegalArgumentException(name + "=" + v);
        }
        return a.build();
    }

    /** A float tensor's name and shape; a negative dimension is the batch. */
    private static Onnx.ValueInfoProto valueInfo(String name, long[] shape) {
        Onnx.TypeProto.Tensor.Builder tensor = Onnx.TypeProto.Tensor.newBuilder().setElemType(1);
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        tensor.setShape(s);
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(tensor)).build();
    }
}
