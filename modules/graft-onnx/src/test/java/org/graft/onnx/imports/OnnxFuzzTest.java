package org.graft.onnx.imports;

import onnx.Onnx;
import org.graft.common.GraftException;
import org.graft.onnx.ByteMutants;
import org.graft.onnx.OnnxFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Damaged files under the strict rule: each mutant of a real fixture either converts or is refused with a
 * {@link GraftException} because the converter checked what it read. An {@code UnexpectedFailure} (a bug that
 * reached the entry point) or any other exception fails the test, naming the file and the exception. The first
 * case is exactly graft-cli's {@code FuzzCheck.onnxModels} (same fixture, count and seed).
 */
class OnnxFuzzTest {
    @TempDir
    Path tmp;

    private record Outcome(int tried, int converted, String failures) {
    }

    /** {@link ByteMutants} of a fixture, each converted or refused. */
    private Outcome fuzz(String fixture, int cases, long seed) throws IOException {
        ByteMutants mutants = new ByteMutants(OnnxFixtures.bytes(fixture), seed);
        int converted = 0;
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < cases; i++) {
            Path file = Files.write(tmp.resolve(fixture.replace(".onnx", "") + "_s" + seed + "_" + i + ".onnx"),
                    mutants.mutant(i));
            converted += convertsOrIsRefused(file, failures) ? 1 : 0;
        }
        return new Outcome(cases, converted, failures.toString());
    }

    /** True if it converted; a refusal must name the file; anything else is appended to {@code failures}. */
    static boolean convertsOrIsRefused(Path file, StringBuilder failures) {
        try {
            OnnxConverter.builder().build().convert(file);
            return true;
        } catch (GraftException e) {
            if (!e.getMessage().contains(file.getFileName().toString())) {
                failures.append(file.getFileName()).append(": refusal does not name the file: ").append(e.getMessage())
                        .append('\n');
            }
            return false;
        } catch (RuntimeException e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            failures.append(file.getFileName()).append(": ").append(trace.toString().lines().limit(12)
                    .reduce((a, b) -> a + "\n" + b).orElse("")).append('\n');
            return false;
        }
    }

    private static void assertClean(Outcome o, String what) {
        System.out.println("ONNX fuzz " + what + ": " + o.tried() + " tried, " + o.converted() + " converted, "
                + (o.tried() - o.converted()) + " refused");
        assertEquals("", o.failures(), what + ": every mutant converts or is refused with a GraftException");
    }

    @Test
    void tinyCnnAsFuzzCheckMutatesIt() throws IOException {
        assertClean(fuzz("tiny_cnn.onnx", 200, 42), "tiny_cnn seed 42");
    }

    @Test
    void moreSeedsAndFixtures() throws IOException {
        assertClean(fuzz("tiny_cnn.onnx", 100, 1), "tiny_cnn seed 1");
        assertClean(fuzz("tiny_cnn.onnx", 100, 2), "tiny_cnn seed 2");
        for (String fixture : List.of("squeeze_excite.onnx", "maxpool_ceil.onnx", "avgpool_include_pad.onnx",
                "conv_grouped.onnx", "linear_head.onnx", "matmul_add.onnx", "relu6.onnx", "pad_value.onnx",
                "concat.onnx", "hardswish_op13.onnx", "graft-nhwc.onnx", "graft-flatten.onnx", "graft-nchw.onnx")) {
            assertClean(fuzz(fixture, 40, 7), fixture + " seed 7");
        }
    }

    /**
     * Mutants that still parse: random bytes mostly break a string or a length, so these change the parsed model
     * instead (an attribute's value or type, a dimension, a tensor's type or shape, a node's inputs or outputs,
     * the node order), to reach the converters' checks.
     */
    @Test
    void structuralMutants() throws IOException {
        Random random = new Random(11);
        Outcome o = protoMutants(List.of("tiny_cnn.onnx", "conv_grouped.onnx", "conv_depthwise.onnx",
                "maxpool_ceil.onnx", "avgpool_exclude_pad.onnx", "avgpool_include_pad.onnx", "pad_value.onnx",
                "squeeze_excite.onnx", "linear_head.onnx", "matmul_add.onnx", "concat.onnx", "hardswish_op13.onnx",
                "relu6.onnx", "clip_opset9.onnx", "reshape_2d.onnx", "conv_same_lower.onnx", "softmax_op11.onnx",
                "gemm_transb0.onnx", "dropout_identity.onnx", "batchnorm_kept.onnx", "graft-nhwc.onnx",
                "graft-flatten.onnx", "graft-nchw.onnx"), 40, "struct", m -> {
                    for (int k = 1 + random.nextInt(2); k > 0; k--) {
                        StructuralMutation.apply(m, random);
                    }
                });
        assertClean(o, "structural mutants seed 11");
    }

    /** {@code perFixture} mutants of each fixture, each a copy changed by {@code mutation}, converted or refused. */
    private Outcome protoMutants(List<String> fixtures, int perFixture, String tag,
                                 Consumer<Onnx.ModelProto.Builder> mutation) throws IOException {
        StringBuilder failures = new StringBuilder();
        int tried = 0;
        int converted = 0;
        for (String fixture : fixtures) {
            Onnx.ModelProto original = Onnx.ModelProto.parseFrom(OnnxFixtures.bytes(fixture));
            for (int i = 0; i < perFixture; i++) {
                Onnx.ModelProto.Builder m = original.toBuilder();
                mutation.accept(m);
                Path file = Files.write(tmp.resolve(fixture.replace(".onnx", "") + "_" + tag + i + ".onnx"),
                        m.build().toByteArray());
                converted += convertsOrIsRefused(file, failures) ? 1 : 0;
                tried++;
            }
        }
        return new Outcome(tried, converted, failures.toString());
    }

    /**
     * Graft's metadata damaged: each value of graft.labels and graft.preprocessing cut, with a character or a
     * number changed, or replaced by another JSON value; each mutant must convert or be refused.
     */
    @Test
    void metadataMutants() throws IOException {
        Random random = new Random(13);
        String[] values = {"null", "[]", "{}", "\"\"", "0", "-1", "1e400", "[null]", "[\"a\"]", "{\"cropHeight\":-5}",
                "[".repeat(3000) + "]".repeat(3000)};
        Outcome o = protoMutants(List.of("graft-nhwc.onnx", "graft-nchw.onnx"), 60, "meta", m -> {
            int k = random.nextInt(m.getMetadataPropsCount());
            String v = m.getMetadataProps(k).getValue();
            String mutated = switch (random.nextInt(4)) {
                case 0 -> v.substring(0, random.nextInt(v.length()));
                case 1 -> {
                    char[] c = v.toCharArray();
                    String json = "[]{}\",:0-9.eaZ\\";
                    c[random.nextInt(c.length)] = json.charAt(random.nextInt(json.length()));
                    yield new String(c);
                }
                case 2 -> v.replaceFirst("[0-9.]+", String.valueOf(StructuralMutation.edge(random)));
                default -> values[random.nextInt(values.length)];
            };
            m.getMetadataPropsBuilder(k).setValue(mutated);
        });
        assertClean(o, "metadata mutants seed 13");
    }

    /** Every prefix of a small model (OnnxFileTest tries a sample of them and wants each refused). */
    @Test
    void everyTruncation() throws IOException {
        for (String fixture : List.of("conv_bias.onnx", "silu.onnx")) {
            byte[] whole = Files.readAllBytes(OnnxFixtures.opsDir().resolve(fixture));
            StringBuilder failures = new StringBuilder();
            int converted = 0;
            for (int cut = 0; cut < whole.length; cut++) {
                Path part = Files.write(tmp.resolve("cut" + cut + "_" + fixture), Arrays.copyOf(whole, cut));
                converted += convertsOrIsRefused(part, failures) ? 1 : 0;
            }
            assertClean(new Outcome(whole.length, converted, failures.toString()), fixture + " truncated");
            assertEquals(0, converted, fixture + ": every truncation is refused");
        }
    }
}
