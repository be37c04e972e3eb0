package org.graft.onnx.imports;

import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx;
import org.graft.common.DamagedFileException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node of an ONNX graph, with typed access to its attributes and a name to put in error messages. An
 * attribute of another type than the op defines (an INT where FLOATS belong) is a damaged file, not a default.
 */
final class OnnxNode {
    private final Onnx.NodeProto proto;
    private final int index;
    private final String file;
    private final Map<String, Onnx.AttributeProto> attributes = new LinkedHashMap<>();
    private final String name;

    /** {@code file} names the model in messages. */
    OnnxNode(Onnx.NodeProto proto, int index, String file) {
        this.proto = proto;
        this.index = index;
        this.file = file;
        for (Onnx.AttributeProto a : proto.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
        // exporters may leave node names empty; the first output name is unique in a valid graph
        String n = proto.getName();
        if (n.isEmpty()) {
            n = proto.getOutputCount() > 0 && !proto.getOutput(0).isEmpty() ? proto.getOutput(0) : "node" + index;
        }
        this.name = n;
        if (proto.getOutputCount() == 0 || proto.getOutput(0).isEmpty()) {
            throw new DamagedFileException(file + ": " + describe() + " has no output.", OnnxFile.EXPORT_AGAIN);
        }
    }

    String name() {
        return name;
    }

    /** The node's position in the graph: unique even where names are not. */
    int index() {
        return index;
    }

    String op() {
        return proto.getOpType();
    }

    String domain() {
        return proto.getDomain();
    }

    /** "node 'Conv_12' (Conv)": how errors name a node. */
    String describe() {
        return "node '" + name + "' (" + op() + ")";
    }

    /** Input i, or "" where the optional input is absent. */
    String input(int i) {
        return i < proto.getInputCount() ? proto.getInput(i) : "";
    }

    List<String> inputs() {
        return proto.getInputList();
    }

    /** Number of inputs given, not counting absent optional ones at the end. */
    int inputCount() {
        int n = proto.getInputCount();
        while (n > 0 && proto.getInput(n - 1).isEmpty()) {
            n--;
        }
        return n;
    }

    String output() {
        return proto.getOutput(0);
    }

    List<String> outputs() {
        return proto.getOutputList();
    }

    Set<String> attributeNames() {
        return attributes.keySet();
    }

    boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    long getInt(String attribute, long fallback) {
        Onnx.AttributeProto a = typed(attribute, AttributeType.INT);
        return a == null ? fallback : a.getI();
    }

    float getFloat(String attribute, float fallback) {
        Onnx.AttributeProto a = typed(attribute, AttributeType.FLOAT);
        return a == null ? fallback : a.getF();
    }

    long[] getInts(String attribute, long[] fallback) {
        Onnx.AttributeProto a = typed(attribute, AttributeType.INTS);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** The FLOATS attribute, which must be present. */
    float[] getFloats(String attribute) {
        Onnx.AttributeProto a = required(attribute, AttributeType.FLOATS);
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    String getString(String attribute, String fallback) {
        Onnx.AttributeProto a = typed(attribute, AttributeType.STRING);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** The TENSOR attribute, which must be present. */
    Onnx.TensorProto getTensor(String attribute) {
        return required(attribute, AttributeType.TENSOR).getT();
    }

    private Onnx.AttributeProto required(String attribute, AttributeType type) {
        Onnx.AttributeProto a = typed(attribute, type);
        if (a == null) {
            throw new DamagedFileException(file + ": " + describe() + " lacks its attribute '" + attribute + "'.",
                    OnnxFile.EXPORT_AGAIN);
        }
        return a;
    }

    private Onnx.AttributeProto typed(String attribute, AttributeType type) {
        Onnx.AttributeProto a = attributes.get(attribute);
        if (a != null && a.getType() != type) {
            throw new DamagedFileException(file + ": " + describe() + " has attribute '" + attribute + "' of type "
                    + a.getType() + " where ONNX defines " + type + ".", OnnxFile.EXPORT_AGAIN);
        }
        return a;
    }
}
