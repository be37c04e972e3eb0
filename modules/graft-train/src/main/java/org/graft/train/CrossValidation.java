package org.graft.train;

import org.graft.backbone.Backbone;
import org.graft.common.Json;
import org.graft.data.Grouping;
import org.graft.data.ImageFolder;
import org.graft.data.Split;
import org.graft.model.run.RunClaim;
import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * K-fold cross-validation ({@code graft train --folds K}): the data is cut into K stratified folds (groups kept
 * whole), and K runs each validate on one fold and train on the rest, in {@code RUN/fold-1} ... {@code RUN/fold-K}.
 * On a small data set one validation split is a noisy estimate; the mean and standard deviation over the folds
 * say how much a figure can be trusted. Written to {@code RUN/folds.json}.
 *
 * <p>Builder: {@code setTrainData}, {@code setBackbone}, {@code setRunDir} and {@code setFolds} are required; each
 * fold's {@link TrainingJob} is configured by {@code optJob}.
 */
public final class CrossValidation {
    public static final String SUMMARY_FILE = RunFolder.FOLDS;

    private final Path trainData;
    private final Supplier<Backbone> backbone;
    private final Path runDir;
    private final int folds;
    private final TrainingConfig config;
    private final Grouping grouping;
    private final Consumer<TrainingJob.Builder> jobOptions;
    private final List<TrainingListener> listeners;
    private final boolean overwrite;

    private CrossValidation(Builder b) {
        this.trainData = b.trainData;
        this.backbone = b.backbone;
        this.runDir = b.runDir;
        this.folds = b.folds;
        this.config = b.config;
        this.grouping = b.grouping == null ? Grouping.none() : b.grouping;
        this.jobOptions = b.jobOptions;
        this.listeners = List.copyOf(b.listeners);
        this.overwrite = b.overwrite;
    }

    /** One fold's figures. */
    public record Fold(int fold, double accuracy, double macroF1, int bestEpoch, int validationImages) {
    }

    /** All folds, with mean and sample standard deviation of accuracy and macro F1. */
    public record Result(Path runDir, List<Fold> folds, List<TrainingResult> runs, double meanAccuracy,
                         double sdAccuracy, double meanMacroF1, double sdMacroF1) {
        /** One line per fold, then the summary. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            for (Fold f : folds) {
                sb.append(String.format(Locale.ROOT, "  fold %d: accuracy %.4f, macro F1 %.4f (%d validation images, "
                        + "best epoch %d)%n", f.fold(), f.accuracy(), f.macroF1(), f.validationImages(),
                                f.bestEpoch()));
            }
            return sb.append(summary()).toString();
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d-fold cross-validation: accuracy %.4f ± %.4f, macro F1 %.4f ± %.4f",
                    folds.size(), meanAccuracy, sdAccuracy, meanMacroF1, sdMacroF1);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Result run() throws IOException {
        ImageFolder folder = ImageFolder.scanForTraining(trainData);
        List<Split> splits = Split.folds(folder, folds, config.seed(), grouping);
        try (RunClaim claim = RunClaim.claim(RunFolder.at(runDir),
                overwrite ? RunClaim.Intent.OVERWRITE : RunClaim.Intent.NEW_RUN, "folds")) {
            Result result = run(splits);
            claim.finish();
            return result;
        }
    }

    private Result run(List<Split> splits) throws IOException {
        // one backbone for every fold (loading may mean a download or an import)
        Backbone loaded = backbone.get();
        List<Fold> figures = new ArrayList<>();
        List<TrainingResult> runs = new ArrayList<>();
        for (int k = 0; k < splits.size(); k++) {
            TrainingListener.Notice header = new TrainingListener.Notice(TrainingListener.Notice.Kind.FOLD,
                    String.format(Locale.ROOT, "%n== Fold %d of %d ==", k + 1, splits.size()));
            listeners.forEach(l -> l.onNotice(header));
            TrainingJob.Builder job = TrainingJob.builder().optSplit(splits.get(k)).setBackbone(loaded)
                    .setRunDir(RunFolder.at(runDir).fold(k + 1).dir()).optConfig(config).optGrouping(grouping)
                    .optOverwrite(overwrite);
            listeners.forEach(job::addListener);
            jobOptions.accept(job);
            TrainingResult r = job.build().run();
            runs.add(r);
            figures.add(new Fold(k + 1, r.validation().accuracy(), r.validation().macroF1(), r.bestEpoch(),
                    r.validation().count()));
        }
        double[] acc = figures.stream().mapToDouble(Fold::accuracy).toArray();
        double[] f1 = figures.stream().mapToDouble(Fold::macroF1).toArray();
        Result result = new Result(runDir, List.copyOf(figures), List.copyOf(runs), mean(acc), sd(acc), mean(f1),
                sd(f1));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("folds", figures);
        json.put("meanAccuracy", result.meanAccuracy());
        json.put("sdAccuracy", result.sdAccuracy());
        json.put("meanMacroF1", result.meanMacroF1());
        json.put("sdMacroF1", result.sdMacroF1());
        json.put("grouping", grouping.describe());
        json.put("seed", config.seed());
        Json.write(runDir.resolve(RunFolder.FOLDS), json);
        return result;
    }

    static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return xs.length == 0 ? Double.NaN : s / xs.length;
    }

    /** Sample standard deviation (n - 1), 0 for a single value. */
    static double sd(double[] xs) {
        if (xs.length < 2) {
            return 0;
        }
        double m = mean(xs);
        double s = 0;
        for (double x : xs) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (xs.length - 1));
    }

    public static final class Builder {
        private Path trainData;
        private Supplier<Backbone> backbone;
        private Path runDir;
        private int folds;
        private TrainingConfig config = TrainingConfig.defaults();
        private Grouping grouping;
        private Consumer<TrainingJob.Builder> jobOptions = j -> { };
        private final List<TrainingListener> listeners = new ArrayList<>();
        private boolean overwrite;

        public Builder setTrainData(Path dir) {
            this.trainData = dir;
            return this;
        }

        public Builder setBackbone(Supplier<Backbone> loader) {
            this.backbone = loader;
            return this;
        }

        public Builder setRunDir(Path dir) {
            this.runDir = dir.toAbsolutePath();
            return this;
        }

        public Builder setFolds(int k) {
            this.folds = k;
            return this;
        }

        public Builder optConfig(TrainingConfig config) {
            this.config = config;
            return this;
        }

        public Builder optGrouping(Grouping grouping) {
            this.grouping = grouping;
            return this;
        }

        /** Further settings of every fold's run (UI, feature cache, engine). */
        public Builder optJob(Consumer<TrainingJob.Builder> options) {
            this.jobOptions = options;
            return this;
        }

        /** Lets the folds replace an earlier cross-validation in the folder (see TrainingJob's optOverwrite). */
        public Builder optOverwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /** Adds a listener to every fold's run (and tells it where each fold begins). */
        public Builder addListener(TrainingListener listener) {
            this.listeners.add(listener);
            return this;
        }

        public CrossValidation build() {
            if (trainData == null || backbone == null || runDir == null || folds == 0) {
                throw new IllegalStateException("setTrainData, setBackbone, setRunDir and setFolds are required");
            }
            return new CrossValidation(this);
        }
    }
}
