package org.graft.train;

import org.graft.model.run.EpochStats;

import java.util.List;
import java.util.Locale;

/**
 * Stops a phase after {@code patience} epochs in a row without a better {@code monitor} (0: never). It decides
 * from the history alone, so a resumed run stops where the first one would have.
 */
public final class EarlyStoppingListener implements TrainingListener {
    private final TrainingConfig.Monitor monitor;
    private final int patience;

    public EarlyStoppingListener(TrainingConfig.Monitor monitor, int patience) {
        this.monitor = monitor;
        this.patience = patience;
    }

    @Override
    public void onEpoch(EpochEnd e) {
        List<EpochStats> phase = e.history().stream().filter(s -> s.phase() == e.stats().phase()).toList();
        if (EarlyStopping.shouldStop(phase, monitor, patience)) {
            e.stopPhase(String.format(Locale.ROOT, "%s has not improved for %d epochs", monitor.cliName(), patience));
        }
    }
}
