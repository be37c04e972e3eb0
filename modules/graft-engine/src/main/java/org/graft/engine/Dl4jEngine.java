package org.graft.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DL4J's own forward pass. */
final class Dl4jEngine implements InferenceEngine {
    private final ComputationGraph graph;

    Dl4jEngine(ComputationGraph graph) {
        this.graph = graph;
    }

    @Override
    public INDArray output(INDArray input) {
        return graph.outputSingle(false, input);
    }

    @Override
    public Engine kind() {
        return Engine.DL4J;
    }

    @Override
    public void close() {
        // the graph belongs to the caller
    }
}
