package org.graft.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.graft.model.ModelBundle;
import org.graft.predict.Prediction;
import org.graft.predict.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify new images with a trained model and write the answers to a CSV file.")
public final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN|ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "DIR|FILE", description = "An image, or a folder "
            + "searched recursively.")
    Path input;

    @Option(names = "--out", defaultValue = "predictions.csv", paramLabel = "FILE",
            description = "CSV to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--top-k", defaultValue = "3", description = "How many classes to list per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--batch", defaultValue = "32", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        if (topK < 1) {
            throw new org.graft.common.GraftException("--top-k must be at least 1 (got " + topK + ").", null);
        }
        ModelBundle bundle = ModelBundle.load(model);
        List<Path> images = Predictor.collectImages(input);
        int k = Math.min(topK, bundle.description().labels().size());
        List<Prediction> predictions;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("Predicting").setInitialMax(images.size())
                .setStyle(ProgressBarStyle.ASCII).setUnit(" img", 1).showSpeed().build()) {
            predictions = new Predictor(bundle, batch).predict(images, k, bar::stepBy);
        }
        Predictor.writeCsv(predictions, out, k);
        long failed = predictions.stream().filter(p -> p.error() != null).count();
        System.out.printf("Wrote %d predictions to %s%s%n", predictions.size(), out,
                failed > 0 ? " (" + failed + " unreadable; see the error column)" : "");
        return 0;
    }
}
