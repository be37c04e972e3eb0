package org.graft.train;

import org.graft.common.EnvironmentException;
import org.graft.model.Checkpoint;
import org.graft.model.ModelBundle;
import org.graft.model.run.RunFolder;

import java.io.IOException;

/**
 * The listener that keeps the run folder up to date after every epoch, in an order that a crash at any moment
 * leaves consistent: first the checkpoint (everything the next epoch needs, the history included), then the best
 * model if this epoch is the best, then history.json. A run killed between two of these writes resumes from the
 * checkpoint, which says which of its own epochs is the best.
 */
final class RunFiles implements TrainingListener {
    private final RunFolder run;

    RunFiles(RunFolder run) {
        this.run = run;
    }

    @Override
    public void onEpoch(EpochEnd e) {
        try {
            run.writeCheckpoint(new Checkpoint(new ModelBundle(e.learningGraph(), e.description()),
                    new Checkpoint.State(e.stats().phase(), e.epochInPhase(), e.history(), e.bestEpoch())));
            if (e.best()) {
                // the best model so far is always on disk, so an interrupted run still leaves a usable model
                run.writeModel(new ModelBundle(e.classifier(), e.description()));
            }
            run.writeHistory(e.history());
        } catch (IOException io) {
            throw new EnvironmentException("Could not write the run folder " + run + ": " + io.getMessage(),
                    "Check the disk and the folder's permissions; 'graft train --resume " + run + "' continues "
                            + "from the last epoch written.", io);
        }
    }
}
