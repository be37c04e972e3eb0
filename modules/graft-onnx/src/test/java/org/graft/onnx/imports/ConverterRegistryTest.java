package org.graft.onnx.imports;

import org.graft.common.UnexpectedFailure;
import org.graft.common.UnsupportedModelException;
import org.graft.onnx.OnnxActivations;
import org.graft.onnx.OnnxFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SortedSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry is the one list of supported ops: what messages show, and what the activation table needs. */
class ConverterRegistryTest {
    private final ConverterRegistry registry = ConverterRegistry.standard();

    @Test
    void supportedOpsAreTheRegisteredOnes() {
        // the ops Graft converted before the registry existed, none lost, and what its own export writes besides
        assertEquals(List.of("Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "Div",
                "Dropout", "Elu", "Flatten", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish",
                "Identity", "LeakyRelu", "MatMul", "Max", "MaxPool", "Mean", "Mul", "Pad", "Relu", "Reshape",
                "Sigmoid", "Slice", "Softmax", "Sub", "Tanh", "Transpose"), List.copyOf(registry.supportedOps()));
    }

    @Test
    void everyActivationOfTheSharedTableHasAConverter() {
        SortedSet<String> ops = registry.supportedOps();
        assertTrue(ops.containsAll(OnnxActivations.ops()), OnnxActivations.ops() + " in " + ops);
    }

    @Test
    void opsThatChangedBetweenOpsetsHaveAConverterPerRange() {
        for (String op : List.of("Clip", "Pad", "Slice", "Softmax")) {
            for (long opset : new long[]{1, 9, 10, 11, 12, 13, 17, 21}) {
                assertTrue(registry.find(op, opset).isPresent(), op + " at opset " + opset);
            }
        }
        assertNotSame(registry.find("Clip", 10).orElseThrow(), registry.find("Clip", 11).orElseThrow());
        assertNotSame(registry.find("Pad", 10).orElseThrow(), registry.find("Pad", 11).orElseThrow());
        assertNotSame(registry.find("Softmax", 12).orElseThrow(), registry.find("Softmax", 13).orElseThrow());
        assertNotSame(registry.find("Slice", 9).orElseThrow(), registry.find("Slice", 10).orElseThrow());
        assertTrue(registry.find("Erf", 13).isEmpty());
    }

    @Test
    void overlappingRangesAreABug() {
        ConverterRegistry.Builder b = new ConverterRegistry.Builder().add("Clip", 1, 10, (n, ctx) -> { });
        assertThrows(IllegalStateException.class, () -> b.add("Clip", 10, 12, (n, ctx) -> { }));
    }

    @Test
    void aBugInAConverterIsReportedAsABugNamingTheFile() {
        ConverterRegistry broken = new ConverterRegistry.Builder()
                .add("Conv", (n, ctx) -> {
                    throw new IllegalStateException("converter bug");
                }).build();
        java.nio.file.Path file = OnnxFixtures.opsDir().resolve("conv_bias.onnx");
        UnexpectedFailure e = assertThrows(UnexpectedFailure.class,
                () -> OnnxConverter.builder().build().convert(file, broken));
        assertEquals(file.toString(), e.subject());
        assertTrue(e.getCause() instanceof IllegalStateException && e.getMessage().contains("converter bug"));
    }

    @Test
    void theRefusalListsTheRegistry() {
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> OnnxConverter.builder()
                .build().convert(OnnxFixtures.opsDir().resolve("unsupported_op.onnx")));
        assertTrue(e.getMessage().contains("Supported ONNX ops: " + String.join(", ", registry.supportedOps())
                + "."), e.getMessage());
    }
}
