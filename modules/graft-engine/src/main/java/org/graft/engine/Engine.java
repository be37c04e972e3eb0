package org.graft.engine;

import org.graft.common.BadOptionException;

import java.util.Locale;

/**
 * Which library runs a graph forward where nothing learns (frozen features, evaluation, prediction, the frozen
 * trunk of a partial fine-tune). DL4J always trains.
 */
public enum Engine {
    /**
     * ONNX Runtime where it gives DL4J's outputs (checked on the first batch of each run), else DL4J with a warning
     * that says why; DL4J alone on the CUDA backend. The default.
     */
    AUTO,
    /** Deeplearning4j itself (ND4J with oneDNN on the CPU, CUDA with the cuda profile). */
    DL4J,
    /** ONNX Runtime on an ONNX export of the graph (CPU), unchecked; an error if the graph cannot be exported. */
    ONNXRUNTIME;

    public static Engine parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "auto" -> AUTO;
            case "dl4j" -> DL4J;
            case "onnxruntime", "ort", "onnx" -> ONNXRUNTIME;
            default -> throw new BadOptionException("Unknown engine '" + s + "'.",
                    "Use --engine auto (default: ONNX Runtime where it matches DL4J), dl4j or onnxruntime.");
        };
    }

    /** The name the options and files use. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
