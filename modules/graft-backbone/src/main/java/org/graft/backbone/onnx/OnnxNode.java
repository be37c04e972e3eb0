package org.graft.backbone.onnx;

import onnx.Onnx;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One node of an ONNX graph, with typed access to its attributes and a name to put in error messages. */
final class OnnxNode {
    private final Onnx.NodeProto proto;
    private final Map<String, Onnx.AttributeProto> attributes = new LinkedHashMap<>();
    private final String name;

    OnnxNode(Onnx.NodeProto proto, int index) {
        this.proto = proto;
        for (Onnx.AttributeProto a : proto.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
        // exporters may leave node names empty; the first output name is unique in a valid graph
        String n = proto.getName();
        if (n.isEmpty()) {
            n = proto.getOutputCount() > 0 && !proto.getOutput(0).isEmpty() ? proto.getOutput(0) : "node" + index;
        }
        this.name = n;
    }

    String name() {
        return name;
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
        Onnx.AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getI();
    }

    float getFloat(String attribute, float fallback) {
        Onnx.AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getF();
    }

    long[] getInts(String attribute, long[] fallback) {
        Onnx.AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    float[] getFloats(String attribute) {
        Onnx.AttributeProto a = attributes.get(attribute);
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    String getString(String attribute, String fallback) {
        Onnx.AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    Onnx.TensorProto getTensor(String attribute) {
        Onnx.AttributeProto a = attributes.get(attribute);
        return a == null ? null : a.getT();
    }
}
