package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.DamagedFileException;
import org.graft.model.Checkpoint;
import org.graft.model.GraphParams;
import org.graft.model.ModelBundle;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;

import java.io.IOException;

/**
 * Where an interrupted run stands, read from its checkpoint: the history (which history.json may lag by one
 * epoch), the phase and the epochs done in it, the learning graph with its optimiser, and the best epoch. The best
 * weights are in model.zip, unless the checkpoint's own epoch is the best (the run may have stopped before
 * model.zip was written); then they are the checkpoint's, and model.zip is brought up to date.
 */
final class ResumePoint {
    private final Checkpoint checkpoint;

    private ResumePoint(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** The run's resume point, or null when it has no checkpoint (it stopped before its first epoch ended). */
    static ResumePoint read(RunFolder run) {
        return run.hasCheckpoint() ? new ResumePoint(run.readCheckpoint()) : null;
    }

    TrainingPhase phase() {
        return checkpoint.state().phase();
    }

    int epochsInPhase() {
        return checkpoint.state().epochsInPhase();
    }

    int lastEpoch() {
        return checkpoint.state().lastEpoch();
    }

    ComputationGraph learningGraph() {
        return checkpoint.training().graph();
    }

    /** Fills {@code state} as it was after the checkpoint's epoch; {@code grafted} is the run's fresh classifier. */
    void restore(RunState state, RunFolder run, ComputationGraph grafted) throws IOException {
        Checkpoint.State s = checkpoint.state();
        state.history.addAll(s.history());
        state.best = s.history().stream().filter(e -> e.epoch() == s.bestEpoch()).findFirst().orElseThrow(() ->
                new DamagedFileException(run.file(RunFolder.CHECKPOINT) + " names best epoch " + s.bestEpoch()
                        + ", which its history lacks.", "Start the run again without --resume."));
        if (s.bestEpoch() == s.lastEpoch()) {
            ComputationGraph classifier = classifierFromCheckpoint(grafted);
            state.bestParams = classifier.params().dup();
            run.writeModel(new ModelBundle(classifier, checkpoint.training().description()));
        } else {
            state.bestParams = run.readModel().graph().params().dup();
        }
        run.writeHistory(state.history);
    }

    /**
     * The whole classifier with the checkpoint's weights: its head alone in the head phase; after it, every layer
     * the learning graph holds (the whole graph, or only the part above a split-off frozen trunk), by name.
     */
    private ComputationGraph classifierFromCheckpoint(ComputationGraph grafted) {
        ComputationGraph classifier = grafted.clone();
        if (phase() == TrainingPhase.HEAD) {
            HeadGrafter.copyHeadInto(learningGraph(), classifier);
        } else {
            GraphParams.copyByName(learningGraph(), classifier);
        }
        return classifier;
    }

    /** A one-line summary for the console. */
    String describe(int totalEpochs) {
        EpochStats last = checkpoint.state().history().get(checkpoint.state().history().size() - 1);
        return "Resuming after epoch " + last.epoch() + " of " + totalEpochs + " (" + last.phase() + " phase; best so "
                + "far: epoch " + checkpoint.state().bestEpoch() + ")";
    }
}
