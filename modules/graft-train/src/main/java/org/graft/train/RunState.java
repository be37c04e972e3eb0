package org.graft.train;

import org.graft.model.EvaluationReport;
import org.graft.model.run.EpochStats;
import org.graft.model.run.TrainingPhase;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/** Where a run stands across its phases: the history, and the best epoch with its weights and validation report. */
final class RunState {
    final List<EpochStats> history = new ArrayList<>();
    EpochStats best;
    INDArray bestParams;
    /** The best epoch's validation report; null after a resume until an epoch is validated again. */
    EvaluationReport bestReport;

    int bestEpoch() {
        return best == null ? 0 : best.epoch();
    }

    List<EpochStats> inPhase(TrainingPhase phase) {
        return history.stream().filter(s -> s.phase() == phase).toList();
    }

    double trainSeconds() {
        return history.stream().mapToDouble(EpochStats::seconds).sum();
    }
}
