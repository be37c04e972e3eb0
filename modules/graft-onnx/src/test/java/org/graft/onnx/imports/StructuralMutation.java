package org.graft.onnx.imports;

import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx;

import java.util.Random;

/** One random change to a parsed ONNX model that keeps it parseable: what a hostile or buggy writer produces. */
final class StructuralMutation {
    /** Values at the edges: zero, signs, the int and long limits and one past them. */
    private static final long[] EDGES = {0, 1, -1, 2, 3, 7, 1 << 20, (1L << 20) + 1, Integer.MAX_VALUE,
            1L << 31, 1L << 32 | 1, Long.MAX_VALUE, Long.MIN_VALUE, -(1L << 31)};

    private StructuralMutation() {
    }

    static void apply(Onnx.ModelProto.Builder m, Random r) {
        Onnx.GraphProto.Builder g = m.getGraphBuilder();
        switch (r.nextInt(10)) {
            case 0, 1, 2 -> attributeValue(g, r);
            case 3 -> attributeType(g, r);
            case 4 -> inputDimension(g, r);
            case 5 -> tensor(g, r);
            case 6 -> nodeInputs(g, r);
            case 7 -> nodeOutputs(g, r);
            case 8 -> nodeOrder(g, r);
            default -> m.getOpsetImportBuilder(0).setVersion(edge(r));
        }
    }

    static long edge(Random r) {
        return r.nextInt(4) == 0 ? r.nextInt(64) - 8 : EDGES[r.nextInt(EDGES.length)];
    }

    private static Onnx.NodeProto.Builder node(Onnx.GraphProto.Builder g, Random r) {
        return g.getNodeBuilder(r.nextInt(g.getNodeCount()));
    }

    private static void attributeValue(Onnx.GraphProto.Builder g, Random r) {
        Onnx.NodeProto.Builder n = node(g, r);
        if (n.getAttributeCount() == 0) {
            n.addAttribute(Onnx.AttributeProto.newBuilder().setName("group").setType(AttributeType.INT)
                    .setI(edge(r)));
            return;
        }
        Onnx.AttributeProto.Builder a = n.getAttributeBuilder(r.nextInt(n.getAttributeCount()));
        switch (a.getType()) {
            case INT -> a.setI(edge(r));
            case FLOAT -> a.setF(r.nextBoolean() ? Float.NaN : (float) edge(r));
            case INTS -> {
                if (a.getIntsCount() == 0 || r.nextInt(4) == 0) {
                    a.addInts(edge(r));
                } else {
                    a.setInts(r.nextInt(a.getIntsCount()), edge(r));
                }
            }
            case STRING -> a.setS(org.nd4j.shade.protobuf.ByteString.copyFromUtf8(
                    new String[]{"SAME_UPPER", "SAME_LOWER", "VALID", "reflect", "", "NOTSET"}[r.nextInt(6)]));
            default -> a.clearT();
        }
    }

    private static void attributeType(Onnx.GraphProto.Builder g, Random r) {
        Onnx.NodeProto.Builder n = node(g, r);
        if (n.getAttributeCount() > 0) {
            n.getAttributeBuilder(r.nextInt(n.getAttributeCount())).setTypeValue(r.nextInt(16));
        }
    }

    private static void inputDimension(Onnx.GraphProto.Builder g, Random r) {
        Onnx.TensorShapeProto.Builder shape = g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
                .getShapeBuilder();
        if (shape.getDimCount() > 0 && r.nextInt(5) > 0) {
            shape.getDimBuilder(r.nextInt(shape.getDimCount())).setDimValue(edge(r));
        } else {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(edge(r)));
        }
    }

    private static void tensor(Onnx.GraphProto.Builder g, Random r) {
        if (g.getInitializerCount() == 0) {
            inputDimension(g, r);
            return;
        }
        Onnx.TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
        switch (r.nextInt(4)) {
            case 0 -> t.setDataType(r.nextInt(18));
            case 3 -> t.clearDims().addDims(0).clearRawData().clearFloatData().clearInt64Data(); // empty, consistent
            case 1 -> {
                if (t.getDimsCount() > 0) {
                    t.setDims(r.nextInt(t.getDimsCount()), edge(r));
                }
            }
            default -> t.addDims(1 + r.nextInt(3));
        }
    }

    private static void nodeInputs(Onnx.GraphProto.Builder g, Random r) {
        Onnx.NodeProto.Builder n = node(g, r);
        switch (r.nextInt(3)) {
            case 0 -> {
                if (n.getInputCount() > 0) {
                    n.setInput(r.nextInt(n.getInputCount()), r.nextBoolean() ? "" : "nowhere");
                }
            }
            case 1 -> n.addInput(n.getInputCount() > 0 ? n.getInput(0) : "input");
            default -> {
                // read another tensor of the graph: a weight, the input, or another node's output
                Onnx.NodeProto other = g.getNode(r.nextInt(g.getNodeCount()));
                String t = other.getOutputCount() > 0 ? other.getOutput(0) : "input";
                if (n.getInputCount() > 0) {
                    n.setInput(r.nextInt(n.getInputCount()), r.nextBoolean() ? t : "input");
                }
            }
        }
    }

    private static void nodeOutputs(Onnx.GraphProto.Builder g, Random r) {
        Onnx.NodeProto.Builder n = node(g, r);
        switch (r.nextInt(3)) {
            case 0 -> n.clearOutput();
            case 1 -> n.addOutput("extra");
            default -> g.getOutputBuilder(0).setName(n.getInputCount() > 0 ? n.getInput(0) : "input");
        }
    }

    private static void nodeOrder(Onnx.GraphProto.Builder g, Random r) {
        if (g.getNodeCount() < 2) {
            g.removeNode(0);
            if (g.getNodeCount() == 0) {
                g.addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("input").addOutput("output"));
            }
            return;
        }
        int a = r.nextInt(g.getNodeCount());
        int b = r.nextInt(g.getNodeCount());
        Onnx.NodeProto na = g.getNode(a);
        g.setNode(a, g.getNode(b));
        g.setNode(b, na);
    }
}
