package org.graft.report;

import org.graft.model.run.EpochStats;

import java.util.List;

/** Training and validation loss and accuracy per epoch, and which epoch's weights are the model. */
final class CurvesSection implements ReportSection {
    @Override
    public String id() {
        return "curves";
    }

    @Override
    public void write(Html h, RunContents run) {
        h.raw("<section id=\"curves\"><h2>Training curves</h2>\n");
        List<EpochStats> history = run.history();
        if (history.isEmpty()) {
            h.raw("<p>No history.json in this run.</p></section>\n");
            return;
        }
        List<Integer> epochs = history.stream().map(EpochStats::epoch).toList();
        double[] trainLoss = history.stream().mapToDouble(EpochStats::trainLoss).toArray();
        double[] valLoss = history.stream().mapToDouble(EpochStats::validationLoss).toArray();
        double[] trainAcc = history.stream().mapToDouble(EpochStats::trainAccuracy).toArray();
        double[] valAcc = history.stream().mapToDouble(EpochStats::validationAccuracy).toArray();
        String[] series = {"training", "validation"};
        h.raw("<img alt=\"loss per epoch\" src=\"").raw(Charts.curves("Loss", "cross-entropy", epochs, series,
                List.of(trainLoss, valLoss))).raw("\">\n");
        h.raw("<img alt=\"accuracy per epoch\" src=\"").raw(Charts.curves("Accuracy", "accuracy", epochs, series,
                List.of(trainAcc, valAcc))).raw("\">\n");
        h.format("<p>Best epoch: %d (its weights are the saved model).</p></section>%n",
                run.description().training().bestEpoch());
    }
}
