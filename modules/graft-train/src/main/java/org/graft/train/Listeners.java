package org.graft.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The listeners of one run, told in order: the job's own first (they write the run folder), then the user's. */
final class Listeners {
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

    /** Tells every listener, in order: {@code tell(l -> l.onEpoch(end))}. */
    void tell(Consumer<TrainingListener> event) {
        all.forEach(event);
    }

    void notice(TrainingListener.Notice.Kind kind, String text) {
        TrainingListener.Notice notice = new TrainingListener.Notice(kind, text);
        tell(l -> l.onNotice(notice));
    }
}
