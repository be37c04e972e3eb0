package org.graft.onnx.export;

import onnx.Onnx;
import org.graft.onnx.Dl4jGraphs;
import org.graft.onnx.imports.OnnxConverter;
import org.graft.onnx.imports.OnnxModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ops the export writes besides torch's (Transpose, Slice, Mean, Max), in forms Graft's export never writes
 * too: hand-built graphs (as tf2onnx writes NHWC models, negative and clamped Slice indices, Slice-1's attributes,
 * three-way Mean and Max), each converted and run against ONNX Runtime on the same random input.
 */
class ReadBackOpsTest {
    @TempDir
    Path tmp;

    /** One hand-built graph: its opset, its input's shape, and the nodes and initializers after the input. */
    private record Case(String name, long opset, long[] input, Consumer<Graph> body) {
    }

    @TestFactory
    List<DynamicTest> handBuiltGraphsMatchOnnxRuntime() {
        long[] nchw = {2, 6, 5, 4};
        long[] nhwc = {2, 5, 4, 3};
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("slice negative indices", 17, nchw, g -> g.output(g.node("Slice", g.input(),
                g.longs(-4), g.longs(-1), g.longs(1)))));
        cases.add(new Case("slice clamped end, negative axis", 17, nchw, g -> g.output(g.node("Slice",
                g.input(), g.longs(2), g.longs(Long.MAX_VALUE), g.longs(-3)))));
        cases.add(new Case("slice with whole height and width", 13, nchw, g -> g.output(g.node("Slice",
                g.input(), g.longs(1, 0, -100), g.longs(4, 100, 4), g.longs(1, 2, 3), g.longs(1, 1, 1)))));
        cases.add(new Case("slice of opset 9", 9, nchw, g -> g.output(g.node("Slice", List.of(g.input()),
                b -> b.addAttribute(ints("starts", 1)).addAttribute(ints("ends", 5)).addAttribute(ints("axes", 1))))));
        cases.add(new Case("mean and max of three", 17, nchw, g -> {
            String r = g.node("Relu", g.input());
            String t = g.node("Tanh", g.input());
            g.output(g.node("Add", g.node("Mean", g.input(), r, t), g.node("Max", t, g.input(), r)));
        }));
        cases.add(new Case("NHWC input, conv, NHWC flatten", 17, nhwc, g -> {
            String x = g.node("Transpose", List.of(g.input()), b -> b.addAttribute(ints("perm", 0, 3, 1, 2)));
            String c = g.node("Conv", x, g.floats(4, 3, 3, 3), g.floats(4));
            String y = g.node("Transpose", List.of(c), b -> b.addAttribute(ints("perm", 0, 2, 3, 1)));
            g.output(g.node("Flatten", y));
        }));
        cases.add(new Case("NHWC input, NHWC feature-map output", 17, nhwc, g -> {
            String x = g.node("Transpose", List.of(g.input()), b -> b.addAttribute(ints("perm", 0, 3, 1, 2)));
            String c = g.node("Relu", g.node("Conv", x, g.floats(5, 3, 1, 1)));
            g.output(g.node("Transpose", List.of(c), b -> b.addAttribute(ints("perm", 0, 2, 3, 1))));
        }));
        cases.add(new Case("identity transposes", 17, nchw, g -> g.output(g.node("Relu", g.node("Transpose",
                List.of(g.node("Identity", g.input())), b -> b.addAttribute(ints("perm", 0, 1, 2, 3)))))));
        cases.add(new Case("two activations of one map", 17, nchw, g -> {
            String c = g.node("Conv", g.input(), g.floats(3, 6, 1, 1));
            g.output(g.node("Sub", g.node("Relu", c), g.node("Tanh", c)));
        }));
        cases.add(new Case("two activations of one vector", 17, new long[]{2, 5}, g -> {
            String d = g.node("Gemm", g.input(), g.floats(5, 4));
            g.output(g.node("Sub", g.node("Tanh", d), g.node("Relu", d)));
        }));

        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                Graph g = new Graph(c.input());
                c.body().accept(g);
                byte[] bytes = g.model(c.opset()).toByteArray();
                Path file = Files.write(tmp.resolve(c.name().replaceAll("[^A-Za-z0-9]", "_") + ".onnx"), bytes);
                OnnxModel model = OnnxConverter.builder().build().convert(file);
                INDArray x = Dl4jGraphs.randomInput(c.input(), 5);
                OnnxReadBackTest.assertClose(OnnxRoundTripTest.runInOrt(bytes, x), model.graph().outputSingle(false,
                        x), c.name());
                assertEquals(c.name().startsWith("NHWC") ? "NHWC" : "NCHW", model.inputLayout().name(), c.name());
            }));
        }
        return tests;
    }

    private static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A graph being written: one float input "x", fresh tensor names, seeded random weights. */
    private static final class Graph {
        private final Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("hand-built");
        private final Random random = new Random(3);
        private int counter;

        Graph(long[] input) {
            g.addInput(valueInfo("x", input));
        }

        String input() {
            return "x";
        }

        String node(String op, String... inputs) {
            return node(op, List.of(inputs), b -> { });
        }

        String node(String op, List<String> inputs, Consumer<Onnx.NodeProto.Builder> attributes) {
            String out = op.toLowerCase() + counter++;
            Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs)
                    .addOutput(out);
            attributes.accept(n);
            g.addNode(n);
            return out;
        }

        String longs(long... values) {
            String name = "ints" + counter++;
            Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7)
                    .addDims(values.length);
            for (long v : values) {
                t.addInt64Data(v);
            }
            g.addInitializer(t);
            return name;
        }

        String floats(long... shape) {
            String name = "w" + counter++;
            Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1);
            long n = 1;
            for (long d : shape) {
                t.addDims(d);
                n *= d;
            }
            for (long i = 0; i < n; i++) {
                t.addFloatData(random.nextFloat() - 0.5f);
            }
            g.addInitializer(t);
            return name;
        }

        /** Makes {@code tensor} the graph's output (its shape left open). */
        void output(String tensor) {
            g.addOutput(Onnx.ValueInfoProto.newBuilder().setName(tensor).setType(Onnx.TypeProto.newBuilder()
                    .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1))));
        }

        Onnx.ModelProto model(long opset) {
            return Onnx.ModelProto.newBuilder().setIrVersion(opset >= 13 ? 8 : 4).setProducerName("hand")
                    .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
        }

        private static Onnx.ValueInfoProto valueInfo(String name, long[] shape) {
            Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
            s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            for (int i = 1; i < shape.length; i++) {
                s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(shape[i]));
            }
            return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                    .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
        }
    }
}
