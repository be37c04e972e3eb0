package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.engine.Engine;
import org.graft.model.EvaluationReport;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.LinkedHashMap;
import java.util.Map;

/** One way of training a phase epoch by epoch: the head alone on cached features, or the whole network. */
interface EpochLoop extends AutoCloseable {
    /** One pass over the training images; {@code epochInPhase} counts from 1 and decides shuffling and augmentation. */
    EpochResult trainEpoch(int epoch, int epochInPhase);

    /** A validation pass of the classifier as it stands. */
    EvaluationReport validate();

    /** The whole grafted classifier, holding the weights trained so far. */
    ComputationGraph classifier();

    /** The graph whose weights are fitted, with its optimiser: what a checkpoint saves. */
    ComputationGraph learningGraph();

    /** Continues from a checkpoint of {@link #learningGraph()}: its weights, optimiser state and step count. */
    void restore(ComputationGraph checkpoint);

    /** Which engine computes each part of this loop's work, and why (for the run's description). */
    default Map<String, String> engines() {
        Map<String, String> engines = new LinkedHashMap<>();
        engines.put("training", Engine.DL4J.cliName());
        engines.put("validation", Engine.DL4J.cliName());
        return engines;
    }

    /** Frees what the loop holds outside the JVM (an ONNX Runtime session). */
    default void close() {
    }

    /** The head's learning rate at the last step. */
    double learningRate();

    /** The rate {@code schedule} gave at {@code graph}'s last step. */
    static double rateAtLastStep(ISchedule schedule, ComputationGraph graph) {
        return schedule.valueAt(Math.max(0, graph.getConfiguration().getIterationCount() - 1), 0);
    }

    /** Copies a checkpoint's weights, optimiser state and step count into {@code into} (same configuration). */
    static void copyTrainingState(ComputationGraph checkpoint, ComputationGraph into) {
        into.setParams(checkpoint.params());
        var saved = checkpoint.getUpdater(false) == null ? null : checkpoint.getUpdater().getStateViewArray();
        var state = into.getUpdater(true).getStateViewArray();
        if (saved != null && state != null) {
            state.assign(saved);
        }
        into.getConfiguration().setIterationCount(checkpoint.getConfiguration().getIterationCount());
    }
}
