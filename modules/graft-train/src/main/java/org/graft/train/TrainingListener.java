package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelDescription;
import org.graft.model.run.EpochStats;
import org.graft.model.run.TrainingPhase;

/**
 * What a {@link TrainingJob} tells the world as it runs, as DJL's {@code TrainingListener}: the console output, the
 * checkpoints, the best model, the history, the training UI and early stopping are all listeners, and a library
 * user can add their own ({@link TrainingJob.Builder#addListener}). Every method has an empty default. Listeners
 * are called in the order they were added, after the job's own (which write the run folder).
 */
public interface TrainingListener {

    /** The data is scanned, split and checked; the backbone is not loaded yet. */
    default void onDataReady(PreparedData data) {
    }

    /** The backbone is loaded and the new head grafted onto it. */
    default void onModelReady(ModelReady model) {
    }

    /** Something a person should know: a warning or a note (near-duplicates, reused features, an early stop). */
    default void onNotice(Notice notice) {
    }

    /** A pass over images begins (features, validation); {@code total} is in {@code unit}s. */
    default void onPassStart(Pass pass) {
    }

    /** {@code done} more units of the pass are finished; {@code status} may say how it goes (a running loss). */
    default void onPassProgress(Pass pass, long done, String status) {
    }

    default void onPassEnd(Pass pass) {
    }

    /** A phase begins (or resumes): {@code graph} is the graph whose weights will be fitted. */
    default void onPhaseStart(PhaseStart phase) {
    }

    /** One batch was fitted. */
    default void onTrainingBatch(TrainingBatch batch) {
    }

    /** An epoch ended and was validated. A listener may stop the phase ({@link EpochEnd#stopPhase}). */
    default void onEpoch(EpochEnd epoch) {
    }

    /** The run finished; the run folder is complete. */
    default void onTrainingEnd(TrainingResult result) {
    }

    /** The backbone as grafted: its name, the feature layer and sizes, the class weights. */
    record ModelReady(Backbone backbone, TrainingConfig config, int classes, double[] classWeights,
                      java.util.List<String> labels) {
    }

    /** A message for a person, with a kind a program can test for. */
    record Notice(Kind kind, String text) {
        public enum Kind {
            /** Validation images that look like training images. */
            NEAR_DUPLICATES,
            /** Images that matched no group of --group-by. */
            UNMATCHED_GROUPS,
            /** Which engine runs the frozen passes, when it is not the one asked for. */
            ENGINE,
            /** Features reused from the cache. */
            FEATURE_CACHE,
            /** The class weights in use. */
            CLASS_WEIGHTS,
            /** The augmentation in use. */
            AUGMENTATION,
            /** Where the training UI is. */
            TRAINING_UI,
            /** Which layers learn while fine-tuning. */
            TRAINABLE_LAYERS,
            /** A phase stopped before its last epoch. */
            EARLY_STOP,
            /** A run continues from its checkpoint. */
            RESUMED,
            /** Images that could not be used. */
            SKIPPED,
            /** Files and folders left alone because they are not images. */
            IGNORED,
            /** Where a fold of cross-validation begins. */
            FOLD
        }
    }

    /** A pass over images or batches, for progress bars. */
    record Pass(String task, long total, String unit) {
    }

    /** The start of a phase: its plan, how many of its epochs are already done, and the graph that learns. */
    record PhaseStart(PhasePlan plan, int epochsDone, ComputationGraph graph) {
    }

    /**
     * @param loss    the batch's mean loss
     * @param seen    examples fitted so far in this epoch
     */
    record TrainingBatch(int epoch, TrainingPhase phase, int batch, int batches, double loss, long seen) {
    }

    /**
     * The end of an epoch: its figures, whether it is the best so far (its weights then become {@code model.zip}),
     * the validation report, the whole classifier as it stands, the graph that learns (the head alone, or the
     * classifier) with its optimiser's state, the history so far, and the description a model saved now carries.
     */
    final class EpochEnd {
        private final EpochStats stats;
        private final boolean best;
        private final int bestEpoch;
        private final int epochInPhase;
        private final java.util.List<EpochStats> history;
        private final EvaluationReport validation;
        private final ComputationGraph classifier;
        private final ComputationGraph learning;
        private final ModelDescription description;
        private String stopReason;

        EpochEnd(EpochStats stats, boolean best, int bestEpoch, int epochInPhase, java.util.List<EpochStats> history,
                 EvaluationReport validation, ComputationGraph classifier, ComputationGraph learning,
                 ModelDescription description) {
            this.stats = stats;
            this.best = best;
            this.bestEpoch = bestEpoch;
            this.epochInPhase = epochInPhase;
            this.history = java.util.List.copyOf(history);
            this.validation = validation;
            this.classifier = classifier;
            this.learning = learning;
            this.description = description;
        }

        public EpochStats stats() {
            return stats;
        }

        /** Whether this epoch is the best so far by the recipe's monitor. */
        public boolean best() {
            return best;
        }

        public int bestEpoch() {
            return bestEpoch;
        }

        /** This epoch's number within its phase, from 1. */
        public int epochInPhase() {
            return epochInPhase;
        }

        /** Every epoch so far, this one last. */
        public java.util.List<EpochStats> history() {
            return history;
        }

        public EvaluationReport validation() {
            return validation;
        }

        /** The whole classifier with this epoch's weights. */
        public ComputationGraph classifier() {
            return classifier;
        }

        /** The graph whose weights are fitted (the head alone in the head phase), with its optimiser's state. */
        public ComputationGraph learningGraph() {
            return learning;
        }

        public ModelDescription description() {
            return description;
        }

        /** Ends the phase after this epoch (the next phase, if any, still runs). */
        public void stopPhase(String reason) {
            if (stopReason == null) {
                stopReason = reason;
            }
        }

        /** Why a listener stopped the phase, or null. */
        public String stopReason() {
            return stopReason;
        }
    }
}
