package org.graft.train;

import java.util.ArrayList;
import java.util.List;

/** The listeners of one run, called in order: the job's own first (they write the run folder), then the user's. */
final class Listeners implements TrainingListener {
    private final List<TrainingListener> all;

    Listeners(List<TrainingListener> all) {
        this.all = List.copyOf(all);
    }

    /** These listeners followed by {@code more}. */
    Listeners with(List<TrainingListener> more) {
        List<TrainingListener> joined = new ArrayList<>(all);
        joined.addAll(more);
        return new Listeners(joined);
    }

    void notice(Notice.Kind kind, String text) {
        onNotice(new Notice(kind, text));
    }

    @Override
    public void onDataReady(PreparedData data) {
        all.forEach(l -> l.onDataReady(data));
    }

    @Override
    public void onModelReady(ModelReady model) {
        all.forEach(l -> l.onModelReady(model));
    }

    @Override
    public void onNotice(Notice notice) {
        all.forEach(l -> l.onNotice(notice));
    }

    @Override
    public void onPassStart(Pass pass) {
        all.forEach(l -> l.onPassStart(pass));
    }

    @Override
    public void onPassProgress(Pass pass, long done, String status) {
        all.forEach(l -> l.onPassProgress(pass, done, status));
    }

    @Override
    public void onPassEnd(Pass pass) {
        all.forEach(l -> l.onPassEnd(pass));
    }

    @Override
    public void onPhaseStart(PhaseStart phase) {
        all.forEach(l -> l.onPhaseStart(phase));
    }

    @Override
    public void onTrainingBatch(TrainingBatch batch) {
        all.forEach(l -> l.onTrainingBatch(batch));
    }

    @Override
    public void onEpoch(EpochEnd epoch) {
        all.forEach(l -> l.onEpoch(epoch));
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        all.forEach(l -> l.onTrainingEnd(result));
    }
}
