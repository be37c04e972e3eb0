package org.graft.model;

import org.graft.common.DamagedFileException;
import org.graft.common.Json;
import org.graft.model.run.EpochStats;
import org.graft.model.run.TrainingPhase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the next epoch of a run depends on, in one file written atomically at the end of each epoch: the
 * graph that was learning (the head alone, or the whole classifier) with its optimiser's state and step count, and
 * where the run stood. The rest is derived from the seed and the epoch number (shuffling, augmentation, dropout),
 * so a run resumed from here continues exactly as it would have.
 *
 * @param training the learning graph, with its optimiser's state; its description is the run's at that epoch
 * @param state    the phase, the epochs done in it, the history so far and the best epoch
 */
public record Checkpoint(ModelBundle training, State state) {
    static final String STATE_ENTRY = "graft-checkpoint.json";

    /**
     * @param history   every finished epoch, the checkpoint's own last (the run's history.json is a copy)
     * @param bestEpoch the epoch whose weights are the best so far ({@code model.zip}, or this checkpoint's own)
     */
    public record State(TrainingPhase phase, int epochsInPhase, List<EpochStats> history, int bestEpoch) {
        public State {
            history = List.copyOf(history);
        }

        /** The epoch this checkpoint was written after. */
        public int lastEpoch() {
            return history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
        }
    }

    public void save(Path zip) throws IOException {
        training.save(zip, true, Map.of(STATE_ENTRY, Json.mapper().writeValueAsBytes(state)));
    }

    /** Reads a checkpoint; a damaged one is refused like a damaged model. */
    public static Checkpoint load(Path zip) {
        BundleEntries entries = BundleEntries.read(zip, Set.of());
        State state;
        try {
            state = Json.mapper().readValue(entries.require(STATE_ENTRY), State.class);
        } catch (IOException e) {
            throw new DamagedFileException(zip + " is not a checkpoint Graft can read: " + e.getMessage(),
                    "Start the run again without --resume.", e);
        }
        if (state == null || state.phase() == null || state.history() == null) {
            throw new DamagedFileException(zip + " lacks the state of its run.",
                    "Start the run again without --resume.");
        }
        return new Checkpoint(ModelBundle.load(entries, true), state);
    }
}
