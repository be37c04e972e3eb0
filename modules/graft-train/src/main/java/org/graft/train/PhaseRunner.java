package org.graft.train;

import org.graft.common.BadOptionException;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelDescription;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;

/**
 * The epochs of one phase: train, validate, decide whether the epoch is the best so far, and tell the listeners
 * (which write the checkpoint, the best model and the history, and may stop the phase early).
 */
final class PhaseRunner {
    private final TrainingConfig config;
    private final Listeners listeners;
    private final RunState state;
    private final Provenance provenance;
    private final RunFolder run;

    PhaseRunner(TrainingConfig config, Listeners listeners, RunState state, Provenance provenance, RunFolder run) {
        this.config = config;
        this.listeners = listeners;
        this.state = state;
        this.provenance = provenance;
        this.run = run;
    }

    /** Trains epochs {@code epochsDone + 1 ...} of {@code plan} with {@code loop}. */
    void run(PhasePlan plan, EpochLoop loop, int epochsDone) {
        var start = new TrainingListener.PhaseStart(plan, epochsDone, loop.learningGraph());
        listeners.tell(l -> l.onPhaseStart(start));
        for (int e = epochsDone + 1; e <= plan.epochs(); e++) {
            int epoch = state.history.size() + 1;
            long t0 = System.nanoTime();
            // dropout draws from ND4J's generator: seeded per epoch, a resumed run draws what the first one did
            Nd4j.getRandom().setSeed(config.seed() * 1_000_003L + epoch);
            EpochResult trained = loop.trainEpoch(epoch, e);
            if (!Double.isFinite(trained.trainLoss())) {
                // the best model so far is already on disk; nothing more can be learnt from here
                throw new BadOptionException("Training diverged in epoch " + epoch + " (" + plan.phase()
                        + " phase): the loss is " + trained.trainLoss() + ". The best model so far (epoch "
                        + state.bestEpoch() + ") is kept in " + run.file(RunFolder.MODEL) + ".",
                        "Lower the learning rate (--lr, --backbone-lr), or fine-tune with --train-batchnorm.");
            }
            EvaluationReport report = loop.validate();
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochStats stats = new EpochStats(epoch, plan.phase(), trained.trainLoss(), trained.trainAccuracy(),
                    report.logLoss(), report.accuracy(), report.macroF1(), loop.learningRate(), seconds);
            state.history.add(stats);
            boolean better = EarlyStopping.better(stats, state.best, config.monitor());
            if (better) {
                state.best = stats;
                state.bestParams = loop.classifier().params().dup();
                state.bestReport = report;
            }
            ModelDescription now = provenance.describe(state.bestEpoch(), epoch, report, state.trainSeconds());
            TrainingListener.EpochEnd end = new TrainingListener.EpochEnd(stats, better, state.bestEpoch(), e,
                    state.history, report, loop.classifier(), loop.learningGraph(), now);
            listeners.tell(l -> l.onEpoch(end));
            if (end.stopReason() != null && e < plan.epochs()) {
                listeners.notice(TrainingListener.Notice.Kind.EARLY_STOP,
                        String.format(Locale.ROOT, "Early stop: %s", end.stopReason()));
                return;
            }
        }
    }
}
