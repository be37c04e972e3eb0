package org.graft.onnx.imports;

import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx;
import org.graft.common.DamagedFileException;
import org.graft.common.GraftException;
import org.graft.common.UnsupportedModelException;
import org.graft.onnx.OnnxFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files written to hurt: valid protobuf with values no exporter writes (zero, negative or huge strides, kernels,
 * pads, groups and dimensions; attributes of the wrong type; missing inputs and outputs; tensors whose type or
 * size contradicts their bytes). Each is refused by a check, as a {@link DamagedFileException} or
 * {@link UnsupportedModelException} naming the file and, where one is at fault, the node.
 */
class OnnxHostileFileTest {
    @TempDir
    Path tmp;

    private record Case(String name, String fixture, Consumer<Onnx.ModelProto.Builder> edit, String mentions) {
    }

    private static final long HUGE = 1L << 40;

    @TestFactory
    List<DynamicTest> hostileFilesAreRefusedByChecks() {
        List<Case> cases = new ArrayList<>();
        // windows
        cases.add(new Case("zero stride", "conv_bias", m -> ints(m, 0, "strides", 0, 0), "(Conv)"));
        cases.add(new Case("negative stride", "conv_bias", m -> ints(m, 0, "strides", -1, 1), "(Conv)"));
        cases.add(new Case("one stride", "conv_bias", m -> ints(m, 0, "strides", 2), "(Conv)"));
        cases.add(new Case("huge stride", "conv_bias", m -> ints(m, 0, "strides", HUGE, 1), "(Conv)"));
        cases.add(new Case("zero dilation", "conv_bias", m -> ints(m, 0, "dilations", 0, 1), "(Conv)"));
        cases.add(new Case("int-overflowing kernel", "conv_bias", m -> ints(m, 0, "kernel_shape", 1L << 32 | 3, 3),
                "(Conv)"));
        cases.add(new Case("3-D kernel_shape", "conv_bias", m -> ints(m, 0, "kernel_shape", 3, 3, 3), "(Conv)"));
        cases.add(new Case("negative pads", "conv_bias", m -> ints(m, 0, "pads", -1, 0, 0, 0), "(Conv)"));
        cases.add(new Case("huge pads", "conv_bias", m -> ints(m, 0, "pads", HUGE, 0, HUGE, 0), "(Conv)"));
        cases.add(new Case("int-overflowing pads", "conv_bias", m -> ints(m, 0, "pads", 1L << 32, 0, 1L << 32, 0),
                "(Conv)"));
        cases.add(new Case("three pads", "conv_bias", m -> ints(m, 0, "pads", 1, 1, 1), "(Conv)"));
        cases.add(new Case("zero group", "conv_bias", m -> attr(m, 0, intAttr("group", 0)), "(Conv)"));
        cases.add(new Case("int-overflowing group", "conv_bias", m -> attr(m, 0, intAttr("group", 1L << 32 | 1)),
                "(Conv)"));
        cases.add(new Case("kernel larger than the input", "conv_bias", m -> bigKernel(m, 99), "(Conv)"));
        cases.add(new Case("kernel one larger than the input", "conv_bias", m -> bigKernel(m, 10), "(Conv)"));
        cases.add(new Case("zero pool kernel", "maxpool_pad", m -> ints(m, 0, "kernel_shape", 0, 0), "(MaxPool)"));
        cases.add(new Case("zero pool stride", "maxpool_pad", m -> ints(m, 0, "strides", 0, 0), "(MaxPool)"));
        cases.add(new Case("pool larger than the input", "maxpool_pad", m -> ints(m, 0, "kernel_shape", 1 << 20, 3),
                "(MaxPool)"));
        cases.add(new Case("huge pool pads", "maxpool_pad", m -> ints(m, 0, "pads", HUGE, 1, 1, 1), "(MaxPool)"));
        cases.add(new Case("huge Pad", "pad_zero", m -> hugePad(m), "(Pad)"));
        // attribute types
        cases.add(new Case("strides as floats", "conv_bias", m -> attr(m, 0, Onnx.AttributeProto.newBuilder()
                .setName("strides").setType(AttributeType.FLOATS).addFloats(1).addFloats(1).build()), "strides"));
        cases.add(new Case("group as float", "conv_bias", m -> attr(m, 0, Onnx.AttributeProto.newBuilder()
                .setName("group").setType(AttributeType.FLOAT).setF(1).build()), "group"));
        cases.add(new Case("untyped attribute", "conv_bias", m -> attr(m, 0, Onnx.AttributeProto.newBuilder()
                .setName("group").setI(1).build()), "group"));
        cases.add(new Case("pool kernel as string", "maxpool_pad", m -> attr(m, 0, Onnx.AttributeProto.newBuilder()
                .setName("kernel_shape").setType(AttributeType.STRING).setS(ByteString.copyFromUtf8("3x3"))
                .build()), "kernel_shape"));
        // graph structure
        cases.add(new Case("no inputs", "conv_bias", m -> node(m, 0).clearInput(), "(Conv)"));
        cases.add(new Case("weights missing", "conv_bias", m -> node(m, 0).setInput(1, ""), "(Conv)"));
        cases.add(new Case("no output", "conv_bias", m -> node(m, 0).clearOutput(), "(Conv)"));
        cases.add(new Case("no graph output", "conv_bias", m -> m.getGraphBuilder().clearOutput(), "output"));
        cases.add(new Case("unknown graph output", "conv_bias", m -> m.getGraphBuilder().getOutputBuilder(0)
                .setName("nowhere"), "nowhere"));
        cases.add(new Case("output is the input", "conv_bias", m -> m.getGraphBuilder().getOutputBuilder(0)
                .setName("input"), "input"));
        cases.add(new Case("Mul with one input", "silu", m -> node(m, 2).clearInput().addInput("/0/Conv_output_0"),
                "(Mul)"));
        cases.add(new Case("gate of its own output", "silu", m -> selfGate(m), "silu"));
        cases.add(new Case("Concat without inputs", "concat", m -> node(m, 2).clearInput(), "(Concat)"));
        cases.add(new Case("zero opset", "conv_bias", m -> m.getOpsetImportBuilder(0).setVersion(0), "operator set"));
        // shapes and tensors
        cases.add(new Case("zero channels", "conv_bias", m -> inputDim(m, 1, 0), "conv_bias"));
        cases.add(new Case("negative channels", "conv_bias", m -> inputDim(m, 1, -4), "conv_bias"));
        cases.add(new Case("huge image", "conv_bias", m -> { inputDim(m, 2, HUGE); inputDim(m, 3, HUGE); },
                "conv_bias"));
        cases.add(new Case("weights rank 3", "conv_bias", m -> initializer(m, 0).clearDims().addDims(6).addDims(4)
                .addDims(9), "(Conv)"));
        cases.add(new Case("integer weights", "conv_bias", m -> initializer(m, 0).setDataType(6), "(Conv)"));
        cases.add(new Case("unknown data type", "conv_bias", m -> initializer(m, 0).setDataType(99), "weight"));
        cases.add(new Case("bias of the wrong length", "conv_bias", m -> initializer(m, 1).clearDims().addDims(3)
                .setRawData(ByteString.copyFrom(new byte[12])), "(Conv)"));
        cases.add(new Case("negative dimension", "conv_bias", m -> initializer(m, 0).setDims(0, -6), "weight"));
        cases.add(new Case("gemm weights int", "linear", m -> initializer(m, 0).setDataType(6), "(Gemm)"));

        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> refusedByACheck(c)));
        }
        return tests;
    }

    private void refusedByACheck(Case c) throws IOException {
        Onnx.ModelProto.Builder m = Onnx.ModelProto.parseFrom(Files.readAllBytes(
                OnnxFixtures.opsDir().resolve(c.fixture() + ".onnx"))).toBuilder();
        c.edit().accept(m);
        Path file = Files.write(tmp.resolve(c.fixture() + "-" + c.name().replace(' ', '_') + ".onnx"),
                m.build().toByteArray());
        GraftException e = assertThrows(GraftException.class, () -> OnnxConverter.builder().build().convert(file),
                c.name());
        assertTrue(e instanceof DamagedFileException || e instanceof UnsupportedModelException,
                c.name() + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(c.mentions()), c.name() + ": '" + e.getMessage() + "' should mention "
                + c.mentions());
        assertTrue(e.hint() != null && !e.hint().isBlank(), "says what to do: " + e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Onnx.NodeProto.Builder node(Onnx.ModelProto.Builder m, int i) {
        return m.getGraphBuilder().getNodeBuilder(i);
    }

    private static Onnx.TensorProto.Builder initializer(Onnx.ModelProto.Builder m, int i) {
        return m.getGraphBuilder().getInitializerBuilder(i);
    }

    /** Sets (or replaces) an attribute of node i. */
    private static void attr(Onnx.ModelProto.Builder m, int i, Onnx.AttributeProto a) {
        Onnx.NodeProto.Builder n = node(m, i);
        for (int k = 0; k < n.getAttributeCount(); k++) {
            if (n.getAttribute(k).getName().equals(a.getName())) {
                n.setAttribute(k, a);
                return;
            }
        }
        n.addAttribute(a);
    }

    private static void ints(Onnx.ModelProto.Builder m, int i, String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        attr(m, i, a.build());
    }

    private static Onnx.AttributeProto intAttr(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    private static void inputDim(Onnx.ModelProto.Builder m, int d, long value) {
        m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(d).setDimValue(value);
    }

    /** Weights (and kernel_shape) of a k x k kernel, with the bytes to match. */
    private static void bigKernel(Onnx.ModelProto.Builder m, int k) {
        Onnx.TensorProto.Builder w = initializer(m, 0);
        w.clearDims().addDims(6).addDims(4).addDims(k).addDims(k)
                .setRawData(ByteString.copyFrom(new byte[4 * 6 * 4 * k * k]));
        ints(m, 0, "kernel_shape", k, k);
        ints(m, 0, "pads", 0, 0, 0, 0);
    }

    private static void hugePad(Onnx.ModelProto.Builder m) {
        Onnx.GraphProto.Builder g = m.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals("pads")) {
                Onnx.TensorProto.Builder t = g.getInitializerBuilder(i).clearRawData().clearInt64Data();
                for (long v : new long[]{0, 0, HUGE, 0, 0, 0, 1, 0}) {
                    t.addInt64Data(v);
                }
                return;
            }
        }
        throw new UncheckedIOException(new IOException("pad_zero has no pads initializer"));
    }

    /** Sigmoid(x) writing x itself, multiplied by x. */
    private static void selfGate(Onnx.ModelProto.Builder m) {
        node(m, 1).setOutput(0, "/0/Conv_output_0");
        node(m, 2).setInput(1, "/0/Conv_output_0");
    }
}
