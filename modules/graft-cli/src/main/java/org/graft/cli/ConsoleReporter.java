package org.graft.cli;

import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;
import org.graft.train.ClassWeighting;
import org.graft.train.PreparedData;
import org.graft.train.TrainingListener;
import org.graft.train.TrainingResult;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** What {@code graft train} prints: the data, the model, notices, progress bars, one line per epoch, the result. */
final class ConsoleReporter implements TrainingListener {
    private final PrintStream out;
    private final boolean progressBars;
    private final Map<Pass, Progress> bars = new HashMap<>();
    private int totalEpochs;

    ConsoleReporter(PrintStream out, boolean progressBars) {
        this.out = out;
        this.progressBars = progressBars;
    }

    @Override
    public void onDataReady(PreparedData data) {
        var split = data.split();
        out.printf(Locale.ROOT, "Data: %d classes %s; %d training and %d validation images (%s)%s%n",
                data.labels().size(), counts(split.train().countsByLabel()), split.train().images().size(),
                split.validation().images().size(), RunFolder.SPLIT,
                data.grouping().isNone() ? "" : "; groups kept whole: " + data.grouping().describe());
    }

    /** The training images per class; for many classes their range (every count is in split.csv). */
    private static String counts(Map<String, Long> byLabel) {
        if (byLabel.size() <= 10) {
            return byLabel.toString();
        }
        var stats = byLabel.values().stream().mapToLong(Long::longValue).summaryStatistics();
        return "(" + stats.getMin() + " to " + stats.getMax() + " training images each)";
    }

    @Override
    public void onModelReady(ModelReady m) {
        totalEpochs = m.config().totalEpochs();
        out.printf(Locale.ROOT, "Model: %s, %s mode, new head on '%s' (%d features -> %d classes)%n",
                m.backbone().name(), m.config().mode().cliName(), m.backbone().featureLayer(),
                m.backbone().featureSize(), m.classes());
        if (m.classWeights() != null) {
            out.println("Class weights: " + ClassWeighting.describe(m.classWeights(), m.labels()));
        }
        if (m.config().augmentation().isEnabled()) {
            out.println("Augmentation: " + m.config().augmentation().describe());
        }
    }

    @Override
    public void onNotice(Notice notice) {
        out.println(notice.text());
    }

    @Override
    public void onPassStart(Pass pass) {
        bars.put(pass, Progress.start(progressBars, out, pass.task(), pass.total(), pass.unit()));
    }

    @Override
    public void onPassProgress(Pass pass, long done, String status) {
        Progress bar = bars.get(pass);
        if (bar != null) {
            bar.step(done, status);
        }
    }

    @Override
    public void onPassEnd(Pass pass) {
        Progress bar = bars.remove(pass);
        if (bar != null) {
            bar.close();
        }
    }

    @Override
    public void onEpoch(EpochEnd e) {
        EpochStats s = e.stats();
        out.printf(Locale.ROOT, "Epoch %d/%d (%s): train loss %.4f%s, val loss %.4f, val accuracy %.4f, "
                        + "macro F1 %.4f (%.1f s)%s%n", s.epoch(), totalEpochs, s.phase(), s.trainLoss(),
                Double.isNaN(s.trainAccuracy()) ? "" : String.format(Locale.ROOT, ", train accuracy %.4f",
                        s.trainAccuracy()),
                s.validationLoss(), s.validationAccuracy(), s.validationMacroF1(), s.seconds(),
                e.best() ? "  * best so far" : "");
    }

    @Override
    public void onTrainingEnd(TrainingResult r) {
        out.printf(Locale.ROOT, "Best epoch %d: val accuracy %.4f, macro F1 %.4f. Model: %s (%.1f s in all)%n",
                r.bestEpoch(), r.validation().accuracy(), r.validation().macroF1(), r.modelFile(), r.seconds());
    }
}
