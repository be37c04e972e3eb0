package org.graft.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.Preprocessing;
import org.graft.onnx.export.OnnxExporter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Runs a graph forward (inference only): images in the graph's own layout in, its first output out. Close it to
 * free native memory (ONNX Runtime sessions).
 */
public interface InferenceEngine extends AutoCloseable {

    INDArray output(INDArray input);

    /** The engine computing the outputs ({@link Engine#AUTO} only while an automatic choice is still open). */
    Engine kind();

    /** What computes the outputs and why (for the console and the run's description). */
    default EngineChoice choice() {
        return EngineChoice.chosen(kind());
    }

    @Override
    void close();

    /** An engine for {@code graph}, whose input is prepared as {@code preprocessing} says. */
    static InferenceEngine create(Engine kind, ComputationGraph graph, Preprocessing preprocessing) {
        return switch (kind) {
            case AUTO -> AutoEngine.of(graph, preprocessing);
            case DL4J -> new Dl4jEngine(graph);
            case ONNXRUNTIME -> new OnnxRuntimeEngine(OnnxExporter.export(graph, preprocessing, Map.of())
                    .toByteArray());
        };
    }
}
