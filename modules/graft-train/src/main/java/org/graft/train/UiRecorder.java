package org.graft.train;

import org.deeplearning4j.core.storage.StatsStorage;
import org.graft.model.run.TrainingPhase;

/**
 * Records a run's statistics for DL4J's training UI: each phase's learning graph gets DL4J's StatsListener. The
 * head alone is small, so it is recorded at every iteration; a fine-tuned network every {@code uiStatsEvery}.
 */
final class UiRecorder implements TrainingListener {
    private final StatsStorage storage;
    private final int everyIterations;

    UiRecorder(StatsStorage storage, int everyIterations) {
        this.storage = storage;
        this.everyIterations = everyIterations;
    }

    @Override
    public void onPhaseStart(PhaseStart phase) {
        int frequency = phase.plan().phase() == TrainingPhase.HEAD && phase.plan().onFeatures() ? 1 : everyIterations;
        phase.graph().setListeners(TrainingUi.recorder(storage, frequency));
    }
}
