package org.graft.onnx.imports;

import onnx.Onnx;
import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.EnvironmentException;
import org.graft.common.UnsupportedModelException;
import org.nd4j.shade.protobuf.CodedInputStream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads an ONNX model file defensively: a damaged, truncated or foreign file gives a clear error. */
final class OnnxFile {
    /** The hint for a file that contradicts itself or the ONNX spec. */
    static final String EXPORT_AGAIN = "The file may be damaged; export the model again (e.g. torch.onnx.export) "
            + "and check the copy is complete.";

    private OnnxFile() {
    }

    static Onnx.ModelProto read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadOptionException("Model file " + file.toAbsolutePath() + " does not exist.",
                    "Check the path, or give a backbone name (see 'graft inspect --list').");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new UnsupportedModelException(file + " is larger than 2 GB; ONNX files that size keep their "
                        + "weights as external data, which Graft does not read.", "Use a smaller model.");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new EnvironmentException("Cannot read " + file + ": " + e.getMessage(),
                    "Check that the file is readable.", e);
        }
        if (bytes.length == 0) {
            throw new DamagedFileException(file + " is empty.", "Export the model again; the copy may have failed.");
        }
        Onnx.ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = Onnx.ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw notOnnx(file, "it cannot be parsed (" + e.getMessage() + ")", e);
        }
        // protobuf parses many foreign byte sequences as "unknown fields": insist on what every ONNX model has
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw notOnnx(file, "it holds no graph", null);
        }
        if (opset(model).isEmpty()) {
            throw notOnnx(file, "it imports no standard ONNX operator set", null);
        }
        if (opset(model).getAsLong() < 1) {
            throw notOnnx(file, "it imports ONNX operator set version " + opset(model).getAsLong(), null);
        }
        return model;
    }

    /** The version of the standard operator set ("" or "ai.onnx" domain) the model uses. */
    static OptionalLong opset(Onnx.ModelProto model) {
        return model.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(Onnx.OperatorSetIdProto::getVersion).findFirst();
    }

    private static DamagedFileException notOnnx(Path file, String why, Exception cause) {
        return new DamagedFileException(file + " is not a readable ONNX model: " + why + ". The file may be "
                + "truncated, damaged, or another format.",
                "Export the model again (e.g. torch.onnx.export(model, x, 'model.onnx')) and check the copy is "
                        + "complete.", cause);
    }
}
