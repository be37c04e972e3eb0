package org.graft.engine;

import org.graft.common.BadOptionException;

import java.util.Locale;

/** Which library runs a trained graph forward. DL4J always trains; either may featurize and predict. */
public enum Engine {
    /** Deeplearning4j itself (ND4J with oneDNN on the CPU, CUDA with the cuda profile). */
    DL4J,
    /** ONNX Runtime on an ONNX export of the graph (CPU): several times faster for inference here. */
    ONNXRUNTIME;

    public static Engine parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "dl4j" -> DL4J;
            case "onnxruntime", "ort", "onnx" -> ONNXRUNTIME;
            default -> throw new BadOptionException("Unknown engine '" + s + "'.",
                    "Use --engine dl4j (default) or --engine onnxruntime.");
        };
    }
}
