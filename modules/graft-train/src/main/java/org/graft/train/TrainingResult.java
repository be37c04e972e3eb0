package org.graft.train;

import org.graft.model.EvaluationReport;
import org.graft.model.ModelBundle;
import org.graft.model.run.EpochStats;

import java.nio.file.Path;
import java.util.List;

/**
 * What a training run produced: the run folder (model.zip, metrics.json, split.csv, history.json, skipped.csv),
 * the model with the best validation accuracy, its validation report and the per-epoch history.
 *
 * @param featureCacheHits     images whose features came from the feature cache (transfer mode)
 * @param featureCacheRejected damaged cache entries that were recomputed
 * @param nearDuplicates       validation/training image pairs that look alike (near-duplicates.csv)
 */
public record TrainingResult(Path runDir, ModelBundle bundle, EvaluationReport validation, List<EpochStats> history,
                             int bestEpoch, double seconds, int skippedImages, int featureCacheHits,
                             int featureCacheRejected, int nearDuplicates) {

    public Path modelFile() {
        return runDir.resolve(ModelBundle.FILE_NAME);
    }
}
