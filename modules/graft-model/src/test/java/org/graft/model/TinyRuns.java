package org.graft.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.Checksums;
import org.graft.common.Versions;
import org.graft.data.ImageEntry;
import org.graft.data.ImageFolder;
import org.graft.data.Preprocessing;
import org.graft.data.Split;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunClaim;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "A trained tiny run" for the tests of the modules that read runs (predict, report, Spark), without training: a
 * classifier built by hand whose answer is the image's dominant colour channel, and a run folder around it with
 * the files {@code graft train} writes. Its figures (history, metrics) are made up, and known to the test.
 *
 * <p>The network is shaped as Graft's own: a "backbone" ({@code conv1}, a 1x1 convolution that passes the channels
 * through), then Graft's head ({@link GraftHead#POOL}, {@link GraftHead#DROPOUT}, {@link GraftHead#OUTPUT}).
 */
public final class TinyRuns {
    /** 32 px, RGB scaled to 0..1, channels first. */
    public static final Preprocessing PREPROCESSING = new Preprocessing(32, 32, 32, Preprocessing.ChannelOrder.RGB,
            1 / 255.0, new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NCHW,
            Preprocessing.Interpolation.BILINEAR);
    /** The features are the channel means times this: large enough for a new head to learn from in a few epochs. */
    private static final double FEATURE_SCALE = 10;
    /** Each colour class and its channel in RGB order. */
    private static final List<String> CHANNELS = List.of("red", "green", "blue");

    private TinyRuns() {
    }

    /**
     * A classifier of {@code labels}, each of "red", "green" or "blue" in any order: its features are the means of
     * the image's channels (times 10), and its logits twice those, so a solid red image is "red" with probability
     * near 1.
     */
    public static ModelBundle colourClassifier(List<String> labels) {
        var conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.01)).graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(32, 32, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(1, 1).nIn(3).nOut(3).activation(Activation.IDENTITY)
                        .build(), "input")
                .addLayer(GraftHead.POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv1")
                .addLayer(GraftHead.DROPOUT, GraftHead.dropoutLayer(3, 0.2), GraftHead.POOL)
                .addLayer(GraftHead.OUTPUT, GraftHead.outputLayer(3, labels.size(), null), GraftHead.DROPOUT)
                .setOutputs(GraftHead.OUTPUT)
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getLayer("conv1").setParam("W", Nd4j.eye(3).muli(FEATURE_SCALE).reshape(3, 3, 1, 1));
        graph.getLayer("conv1").setParam("b", Nd4j.zeros(1, 3));
        var w = Nd4j.zeros(3, labels.size());
        for (int c = 0; c < labels.size(); c++) {
            int channel = CHANNELS.indexOf(labels.get(c));
            if (channel < 0) {
                throw new IllegalArgumentException("not a colour class: " + labels.get(c));
            }
            w.putScalar(channel, c, 20 / FEATURE_SCALE);
        }
        graph.getLayer(GraftHead.OUTPUT).setParam("W", w);
        graph.getLayer(GraftHead.OUTPUT).setParam("b", Nd4j.zeros(1, labels.size()));
        return new ModelBundle(graph, description(labels, Path.of("/data/train"), Path.of("/data/val"), "none", 0, 0));
    }

    private static ModelDescription description(List<String> labels, Path train, Path val, String splitSha,
                                                int trainImages, int valImages) {
        return new ModelDescription(ModelDescription.FORMAT_VERSION, labels, PREPROCESSING,
                new ModelDescription.BackboneInfo("colour-channels", "none", "0".repeat(64), GraftHead.POOL,
                        "test fixture"),
                new ModelDescription.TrainingInfo("transfer", 3, 2, 8, 0.01, "Adam", 42, 0.2, 1.5,
                        Map.of("epochs", 3, "augmentation", "none"), null),
                new ModelDescription.DataInfo(train.toString(), val.toString(), splitSha, 0.2, trainImages,
                        valImages, 0, Map.of(), "none"),
                Map.of("accuracy", 0.75), Versions.current(), Instant.now().toString());
    }

    /** A run folder of the colour classifier and what it says about itself. */
    public record Run(RunFolder folder, Split split, ModelBundle bundle, List<EpochStats> history,
                      EvaluationReport metrics) {
    }

    /**
     * Writes a run folder as {@code graft train} leaves it, for the colour classes found in {@code data} (one
     * folder per colour): split.csv (a seeded 80/20 split), labels.txt, model.zip, history.json (three made-up
     * epochs, the second best), metrics.json (made up: the first two validation images misclassified, the next
     * four least confident) and skipped.csv.
     */
    public static Run write(Path runDir, Path data) throws IOException {
        ImageFolder folder = ImageFolder.scanForTraining(data);
        Split split = Split.stratified(folder, 0.2, 42);
        RunFolder run = RunFolder.at(runDir);
        RunClaim.claim(run, RunClaim.Intent.NEW_RUN, "train").close();
        run.writeSplit(split);
        run.writeLabels(split.labels());
        ModelBundle classifier = colourClassifier(split.labels());
        ModelBundle bundle = new ModelBundle(classifier.graph(), description(split.labels(), data, data,
                Checksums.sha256(run.file(RunFolder.SPLIT)), split.train().images().size(),
                split.validation().images().size()));
        run.writeModel(bundle);
        List<EpochStats> history = List.of(
                new EpochStats(1, TrainingPhase.HEAD, 0.9, 0.6, 0.8, 0.625, 0.6, 0.01, 0.5),
                new EpochStats(2, TrainingPhase.HEAD, 0.5, 0.8, 0.55, 0.75, 0.74, 0.01, 0.5),
                new EpochStats(3, TrainingPhase.HEAD, 0.4, 0.85, 0.6, 0.75, 0.73, 0.01, 0.5));
        run.writeHistory(history);
        EvaluationReport metrics = madeUpMetrics(split);
        run.writeMetrics(metrics);
        var skipped = new org.graft.data.SkipLog();
        skipped.addAll(folder.skipped());
        run.writeSkipped(skipped);
        return new Run(run, split, bundle, history, metrics);
    }

    /** Every validation image right except the first two (each taken for the next class). */
    private static EvaluationReport madeUpMetrics(Split split) {
        List<String> labels = split.labels();
        int k = labels.size();
        long[][] confusion = new long[k][k];
        List<EvaluationReport.Misclassified> wrong = new ArrayList<>();
        List<EvaluationReport.Misclassified> unsure = new ArrayList<>();
        List<ImageEntry> val = split.validation().images();
        for (int i = 0; i < val.size(); i++) {
            int truth = labels.indexOf(val.get(i).label());
            int predicted = i < 2 ? (truth + 1) % k : truth;
            confusion[truth][predicted]++;
            var item = new EvaluationReport.Misclassified(val.get(i).path().toString(), labels.get(truth),
                    labels.get(predicted), 0.6, predicted == truth ? 0.6 : 0.3);
            (i < 2 ? wrong : unsure).add(item);
        }
        List<EvaluationReport.ClassMetrics> perClass = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < k; j++) {
                support += confusion[c][j];
                predicted += confusion[j][c];
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new EvaluationReport.ClassMetrics(labels.get(c), precision, recall, f1, support));
        }
        double accuracy = (val.size() - Math.min(2, val.size())) / (double) val.size();
        double macroF1 = perClass.stream().mapToDouble(EvaluationReport.ClassMetrics::f1).average().orElse(0);
        return new EvaluationReport(labels, val.size(), accuracy, macroF1, 0.55, perClass, confusion, wrong,
                unsure.subList(0, Math.min(4, unsure.size())));
    }
}
