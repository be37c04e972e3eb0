package org.graft.onnx.imports;

import onnx.Onnx;
import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.GraftException;
import org.graft.common.UnsupportedModelException;
import org.graft.onnx.OnnxFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged, truncated, foreign and hostile ONNX files give a clear error naming the file, never a crash. */
class OnnxFileTest {
    @TempDir
    Path tmp;

    private static Path sample() {
        return OnnxFixtures.opsDir().resolve("conv_bias.onnx");
    }

    private GraftException refused(Path file) {
        GraftException e = assertThrows(GraftException.class, () -> OnnxConverter.builder().build().convert(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "names the file: " + e.getMessage());
        assertTrue(e.hint() != null && !e.hint().isBlank(), "says what to do: " + e.getMessage());
        return e;
    }

    private void refusedAs(Class<? extends GraftException> kind, Path file) {
        GraftException e = refused(file);
        assertInstanceOf(kind, e, e.getMessage());
    }

    @Test
    void missingEmptyAndForeignFiles() throws IOException {
        refusedAs(BadOptionException.class, tmp.resolve("absent.onnx"));
        refusedAs(DamagedFileException.class, Files.write(tmp.resolve("empty.onnx"), new byte[0]));
        refusedAs(DamagedFileException.class, Files.writeString(tmp.resolve("text.onnx"), "this is not a model\n",
                StandardCharsets.UTF_8));
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        refusedAs(DamagedFileException.class, Files.write(tmp.resolve("noise.onnx"), noise));
    }

    @Test
    void everyTruncationIsRefusedCleanly() throws IOException {
        byte[] whole = Files.readAllBytes(sample());
        int tried = 0;
        for (int cut = 1; cut < whole.length; cut += Math.max(1, whole.length / 97)) {
            Path part = Files.write(tmp.resolve("cut" + cut + ".onnx"), Arrays.copyOf(whole, cut));
            refused(part);
            tried++;
        }
        assertTrue(tried > 50);
    }

    /** A tensor claiming 10^12 values in a few bytes must not make Graft allocate them. */
    @Test
    void absurdTensorShapeIsRefusedBeforeAllocating() throws IOException {
        Onnx.ModelProto original = Onnx.ModelProto.parseFrom(Files.readAllBytes(sample()));
        Onnx.GraphProto.Builder graph = original.getGraph().toBuilder();
        Onnx.TensorProto weights = graph.getInitializer(0);
        graph.setInitializer(0, weights.toBuilder().clearDims().addDims(1_000_000).addDims(1_000_000)
                .setRawData(ByteString.copyFrom(new byte[16])).build());
        Path bad = Files.write(tmp.resolve("absurd.onnx"), original.toBuilder().setGraph(graph).build().toByteArray());
        GraftException e = refused(bad);
        assertTrue(e.getMessage().contains("impossible shape") || e.getMessage().contains("holds"), e.getMessage());
        assertInstanceOf(DamagedFileException.class, e);

        graph.setInitializer(0, weights.toBuilder().clearDims().addDims(6).addDims(4).addDims(3).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[12])).build());
        Path short_ = Files.write(tmp.resolve("short.onnx"),
                original.toBuilder().setGraph(graph).build().toByteArray());
        GraftException tooShort = refused(short_);
        assertTrue(tooShort.getMessage().contains("holds 12 bytes"));
        assertInstanceOf(DamagedFileException.class, tooShort);
    }

    @Test
    void externalDataIsRefusedWithTheExportCommand() throws IOException {
        Onnx.ModelProto original = Onnx.ModelProto.parseFrom(Files.readAllBytes(sample()));
        Onnx.GraphProto.Builder graph = original.getGraph().toBuilder();
        graph.setInitializer(0, graph.getInitializer(0).toBuilder().clearRawData()
                .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
                .build());
        Path ext = Files.write(tmp.resolve("external.onnx"), original.toBuilder().setGraph(graph).build().toByteArray());
        GraftException e = refused(ext);
        assertTrue(e.getMessage().contains("external data") && e.hint().contains("save_as_external_data"));
        assertInstanceOf(UnsupportedModelException.class, e, "an intact model Graft does not read");
    }
}
