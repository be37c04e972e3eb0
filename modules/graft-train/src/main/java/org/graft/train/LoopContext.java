package org.graft.train;

import org.graft.data.ImageLoader;
import org.graft.data.SkipLog;
import org.graft.data.Split;

import java.util.List;

/** What every epoch loop of a run shares: the recipe, the data, how images are loaded, and whom to tell. */
record LoopContext(TrainingConfig config, PreparedData data, ImageLoader loader, Listeners listeners) {
    Split split() {
        return data.split();
    }

    List<String> labels() {
        return data.labels();
    }

    SkipLog skipped() {
        return data.skipped();
    }
}
