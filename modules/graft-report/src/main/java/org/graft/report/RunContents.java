package org.graft.report;

import org.graft.common.BadOptionException;
import org.graft.data.NearDuplicates;
import org.graft.data.SkippedImage;
import org.graft.data.Split;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelDescription;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;

import java.nio.file.Files;
import java.util.List;

/**
 * What a run folder holds, read once through {@link RunFolder} for the report's sections: the model's description,
 * the validation metrics, the history, the split, the skipped files, the near-duplicates and the evaluations on
 * other data.
 *
 * @param split null when the run has no split.csv (a model evaluated on other data)
 */
record RunContents(RunFolder folder, ModelDescription description, EvaluationReport metrics,
                   List<EpochStats> history, Split split, List<SkippedImage> skipped,
                   List<NearDuplicates.Pair> nearDuplicates, List<RunFolder.Evaluation> evaluations) {

    static RunContents read(RunFolder run) {
        ModelDescription description = run.readDescription();
        if (!run.hasMetrics()) {
            throw new BadOptionException(run + " has no " + RunFolder.METRICS + ".", "Run 'graft evaluate --model "
                    + run + "' first, or train again.");
        }
        Split split = Files.isRegularFile(run.file(RunFolder.SPLIT)) ? run.readSplit(description) : null;
        return new RunContents(run, description, run.readMetrics(), run.readHistory(), split, run.readSkipped(),
                run.readNearDuplicates(), run.readEvaluations());
    }
}
