package org.graft.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import org.graft.common.AtomicFiles;
import org.graft.common.BadOptionException;
import org.graft.common.Json;
import org.graft.model.ModelBundle;
import org.graft.onnx.export.OnnxExporter;
import org.graft.onnx.imports.OnnxModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a trained model in another format for deployment: ONNX (opset 17), which ONNX Runtime, "
                + "OpenCV's dnn module and most serving tools run. Its metadata carries Graft's labels and "
                + "preprocessing (keys graft.labels, graft.preprocessing).",
        footer = {"", "Examples:", "  graft export --model runs/demo --format onnx --out demo.onnx"})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN|ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "onnx", description = "Only onnx for now.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write.")
    Path out;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() throws Exception {
        if (!format.toLowerCase(Locale.ROOT).equals("onnx")) {
            throw new BadOptionException("Unknown --format '" + format + "'.", "Use --format onnx.");
        }
        Path target = OutputTarget.check(out, OutputTarget.Kind.ONNX, overwrite.overwrite,
                List.of(ModelBundle.resolve(model)));
        ModelBundle bundle = ModelBundle.load(model);
        var description = bundle.description();
        var compact = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
        Map<String, String> metadata = Map.of(
                OnnxModel.LABELS, compact.writeValueAsString(description.labels()),
                OnnxModel.PREPROCESSING, compact.writeValueAsString(description.preprocessing()));
        byte[] onnx = OnnxExporter.export(bundle.graph(), description.preprocessing(), metadata).toByteArray();
        AtomicFiles.write(target, onnx);
        var pre = description.preprocessing();
        System.out.printf("Wrote %s (%d KB): input '%s' %s, output: probabilities of %s%n", out, onnx.length / 1024,
                bundle.graph().getConfiguration().getNetworkInputs().get(0),
                java.util.Arrays.toString(pre.shape(1)).replace("[1,", "[batch,"), description.labels());
        return 0;
    }
}
