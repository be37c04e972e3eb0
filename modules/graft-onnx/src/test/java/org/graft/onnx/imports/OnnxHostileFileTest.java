package org.graft.onnx.imports;

import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx;
import org.graft.common.DamagedFileException;
import org.graft.common.GraftException;
import org.graft.common.UnsupportedModelException;
import org.graft.onnx.Dl4jGraphs;
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
        // what Graft's export writes: Transposes of an NHWC model, Slices, Mean and Max, reshapes
        cases.add(new Case("Transpose perm of rank 3", "graft-nhwc", m -> ints(m, op(m, "Transpose", 0), "perm", 0, 2,
                1), "(Transpose)"));
        cases.add(new Case("Transpose with a duplicate axis", "graft-nhwc", m -> ints(m, op(m, "Transpose", 0),
                "perm", 0, 3, 3, 1), "(Transpose)"));
        cases.add(new Case("Transpose axis out of range", "graft-nhwc", m -> ints(m, op(m, "Transpose", 0), "perm",
                0, 3, 1, 4), "(Transpose)"));
        cases.add(new Case("Transpose negative axis", "graft-nhwc", m -> ints(m, op(m, "Transpose", 0), "perm", 0,
                -1, 1, 2), "(Transpose)"));
        cases.add(new Case("Transpose moving the batch", "graft-nhwc", m -> ints(m, op(m, "Transpose", 0), "perm", 3,
                0, 1, 2), "(Transpose)"));
        cases.add(new Case("Transpose swapping height and width", "graft-nhwc", m -> ints(m, op(m, "Transpose", 0),
                "perm", 0, 3, 2, 1), "(Transpose)"));
        cases.add(new Case("Transpose without perm", "graft-nhwc", m -> node(m, op(m, "Transpose", 0))
                .clearAttribute(), "(Transpose)"));
        cases.add(new Case("Transpose perm as floats", "graft-nhwc", m -> attr(m, op(m, "Transpose", 0),
                Onnx.AttributeProto.newBuilder().setName("perm").setType(AttributeType.FLOATS).addFloats(0)
                        .addFloats(3).addFloats(1).addFloats(2).build()), "perm"));
        cases.add(new Case("Transpose of two inputs", "graft-nhwc", m -> node(m, op(m, "Transpose", 0))
                .addInput(node(m, op(m, "Transpose", 0)).getInput(0)), "(Transpose)"));
        cases.add(new Case("Transpose of a map with a vector's perm", "graft-flatten", m -> ints(m,
                op(m, "Transpose", 1), "perm", 1, 0), "(Transpose)"));
        cases.add(new Case("Transpose of a constant", "graft-flatten", m -> node(m, op(m, "Transpose", 1))
                .setInput(0, initializer(m, 0).getName()), "(Transpose)"));
        cases.add(new Case("Flatten of an NCHW map in an NHWC model", "graft-flatten", m -> node(m, op(m, "Flatten",
                0)).setInput(0, node(m, op(m, "Transpose", 1)).getInput(0)), "(Flatten)"));
        cases.add(new Case("an NHWC tensor into a dense layer", "graft-flatten", m -> node(m, op(m, "Gemm", 0))
                .setInput(0, node(m, op(m, "Transpose", 1)).getOutput(0)), "(Gemm)"));
        cases.add(new Case("an NCHW map as output of an NHWC model", "graft-flatten", m -> m.getGraphBuilder()
                .getOutputBuilder(0).setName(node(m, op(m, "Transpose", 1)).getInput(0)), "feature map"));
        cases.add(new Case("padding with 1 in an NHWC model", "graft-nhwc", m -> node(m, op(m, "Pad", 0))
                .setInput(2, tensor(m, "one", 1, new float[]{1}).getName()), "NHWC"));
        cases.add(new Case("Reshape to a 2x1 map", "graft-nhwc", m -> node(m, op(m, "Reshape", 0))
                .setInput(1, longs(m, "to2x1", -1, 4, 2, 1).getName()), "(Reshape)"));
        cases.add(new Case("Slice step 0", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .addInput(longs(m, "step0", 0).getName()), "(Slice)"));
        cases.add(new Case("Slice step 2", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .addInput(longs(m, "step2", 2).getName()), "(Slice)"));
        cases.add(new Case("Slice of the batch", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .setInput(3, longs(m, "axis0", 0).getName()), "(Slice)"));
        cases.add(new Case("Slice of height", "graft-nchw", m -> node(m, op(m, "Slice", 1))
                .setInput(3, longs(m, "axis2", 2).getName()), "(Slice)"));
        cases.add(new Case("Slice axis out of range", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .setInput(3, longs(m, "axis5", 5).getName()), "(Slice)"));
        cases.add(new Case("Slice with duplicate axes", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .setInput(1, longs(m, "s2", 0, 0).getName()).setInput(2, longs(m, "e2", 9, 9).getName())
                .setInput(3, longs(m, "a2", 1, 1).getName()), "(Slice)"));
        cases.add(new Case("Slice bounds of different lengths", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .setInput(1, longs(m, "s2", 0, 0).getName()), "(Slice)"));
        cases.add(new Case("Slice with float starts", "graft-nchw", m -> node(m, op(m, "Slice", 0))
                .setInput(1, tensor(m, "fstart", 1, new float[]{0}).getName()), "(Slice)"));
        cases.add(new Case("empty Slice", "graft-nchw", m -> node(m, op(m, "Slice", 1))
                .setInput(2, longs(m, "e9", 9).getName()), "(Slice)"));
        cases.add(new Case("Slice without ends", "graft-nchw", m -> node(m, op(m, "Slice", 0)).clearInput()
                .addInput(node(m, op(m, "Concat", 0)).getOutput(0)).addInput(longs(m, "s0", 0).getName()), "(Slice)"));
        cases.add(new Case("Mean of a constant", "graft-nchw", m -> node(m, op(m, "Mean", 0))
                .setInput(1, tensor(m, "c", 1, new float[]{1}).getName()), "(Mean)"));
        cases.add(new Case("Max of two shapes", "graft-nchw", m -> node(m, op(m, "Max", 0))
                .setInput(1, m.getGraphBuilder().getInput(0).getName()), "(Max)"));
        // Graft's metadata
        cases.add(new Case("labels not JSON", "graft-nhwc", m -> metadata(m, OnnxModel.LABELS, "[\"cat"),
                OnnxModel.LABELS));
        cases.add(new Case("labels not an array", "graft-nhwc", m -> metadata(m, OnnxModel.LABELS, "{\"a\": 1}"),
                OnnxModel.LABELS));
        cases.add(new Case("labels of numbers", "graft-nhwc", m -> metadata(m, OnnxModel.LABELS, "[1, 2, 3, 4]"),
                OnnxModel.LABELS));
        cases.add(new Case("labels too few", "graft-nhwc", m -> metadata(m, OnnxModel.LABELS, "[\"a\", \"b\"]"),
                OnnxModel.LABELS));
        cases.add(new Case("labels twice", "graft-nhwc", m -> m.addMetadataProps(m.getMetadataProps(0)),
                "twice"));
        cases.add(new Case("labels of a feature-map output", "conv_bias", m -> m.addMetadataProps(
                Onnx.StringStringEntryProto.newBuilder().setKey(OnnxModel.LABELS).setValue("[\"a\"]")),
                OnnxModel.LABELS));
        cases.add(new Case("preprocessing not JSON", "graft-nhwc", m -> metadata(m, OnnxModel.PREPROCESSING, "{"),
                OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing null", "graft-nhwc", m -> metadata(m, OnnxModel.PREPROCESSING, "null"),
                OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing with a zero crop", "graft-nhwc", m -> editPreprocessing(m,
                "\"cropHeight\":20", "\"cropHeight\":0"), OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing with a huge crop", "graft-nhwc", m -> editPreprocessing(m,
                "\"cropHeight\":20", "\"cropHeight\":99999999999"), OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing without a mean", "graft-nhwc", m -> editPreprocessing(m,
                "\"mean\"", "\"average\""), OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing for another size", "graft-nhwc", m -> editPreprocessing(m,
                "\"cropHeight\":20", "\"cropHeight\":18"), OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing in another layout", "graft-nhwc", m -> editPreprocessing(m,
                "\"NHWC\"", "\"NCHW\""), OnnxModel.PREPROCESSING));
        cases.add(new Case("preprocessing of a vector model", "linear", m -> m.addMetadataProps(
                Onnx.StringStringEntryProto.newBuilder().setKey(OnnxModel.PREPROCESSING).setValue(
                        Dl4jGraphs.metadata(List.of(), Dl4jGraphs.nhwcFlatten().preprocessing())
                                .get(OnnxModel.PREPROCESSING))), OnnxModel.PREPROCESSING));

        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> refusedByACheck(c)));
        }
        return tests;
    }

    private void refusedByACheck(Case c) throws IOException {
        Onnx.ModelProto.Builder m = Onnx.ModelProto.parseFrom(OnnxFixtures.bytes(c.fixture() + ".onnx"))
                .toBuilder();
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

    /** The index of the k-th node of type {@code op}. */
    private static int op(Onnx.ModelProto.Builder m, String op, int k) {
        Onnx.GraphProto.Builder g = m.getGraphBuilder();
        for (int i = 0, seen = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals(op) && seen++ == k) {
                return i;
            }
        }
        throw new IllegalStateException("no " + op + " #" + k);
    }

    /** A new int64 initializer. */
    private static Onnx.TensorProto.Builder longs(Onnx.ModelProto.Builder m, String name, long... values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        m.getGraphBuilder().addInitializer(t);
        return t;
    }

    /** A new float initializer of the given length. */
    private static Onnx.TensorProto.Builder tensor(Onnx.ModelProto.Builder m, String name, long length,
                                                  float[] values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1).addDims(length);
        for (float v : values) {
            t.addFloatData(v);
        }
        m.getGraphBuilder().addInitializer(t);
        return t;
    }

    private static void metadata(Onnx.ModelProto.Builder m, String key, String value) {
        for (int i = 0; i < m.getMetadataPropsCount(); i++) {
            if (m.getMetadataProps(i).getKey().equals(key)) {
                m.getMetadataPropsBuilder(i).setValue(value);
                return;
            }
        }
        throw new IllegalStateException("no " + key);
    }

    private static void editPreprocessing(Onnx.ModelProto.Builder m, String from, String to) {
        String json = m.getMetadataPropsList().stream().filter(p -> p.getKey().equals(OnnxModel.PREPROCESSING))
                .findFirst().orElseThrow().getValue();
        if (!json.contains(from)) {
            throw new IllegalStateException(json + " lacks " + from);
        }
        metadata(m, OnnxModel.PREPROCESSING, json.replace(from, to));
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
