package org.graft.train;

import org.graft.model.run.EpochStats;

import java.util.List;

/**
 * Best-epoch selection and early stopping on one validation figure ({@link TrainingConfig.Monitor}), with ties
 * going to the lower validation loss. Pure functions of the history, so a resumed run decides as the original
 * would have.
 */
public final class EarlyStopping {
    private EarlyStopping() {
    }

    /** Whether {@code candidate} is better than {@code best} (null: anything is). */
    public static boolean better(EpochStats candidate, EpochStats best, TrainingConfig.Monitor monitor) {
        if (best == null) {
            return true;
        }
        double c = score(candidate, monitor);
        double b = score(best, monitor);
        if (c != b) {
            return c > b;
        }
        return candidate.validationLoss() < best.validationLoss();
    }

    /** Higher is better. */
    private static double score(EpochStats s, TrainingConfig.Monitor monitor) {
        return switch (monitor) {
            case VAL_LOSS -> -s.validationLoss();
            case MACRO_F1 -> s.validationMacroF1();
            case ACCURACY -> s.validationAccuracy();
        };
    }

    /** Index of the best epoch in {@code epochs} (-1 if empty). */
    public static int best(List<EpochStats> epochs, TrainingConfig.Monitor monitor) {
        int best = -1;
        for (int i = 0; i < epochs.size(); i++) {
            if (best < 0 || better(epochs.get(i), epochs.get(best), monitor)) {
                best = i;
            }
        }
        return best;
    }

    /** Whether a phase with this history should stop: {@code patience} epochs in a row without a new best. */
    public static boolean shouldStop(List<EpochStats> phase, TrainingConfig.Monitor monitor, int patience) {
        if (patience <= 0 || phase.isEmpty()) {
            return false;
        }
        return phase.size() - 1 - best(phase, monitor) >= patience;
    }
}
