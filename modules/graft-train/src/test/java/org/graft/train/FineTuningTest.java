package org.graft.train;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.backbone.TinyBackbone;
import org.graft.data.Augmentation;
import org.graft.data.ImageEntry;
import org.graft.data.TestImages;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;
import org.graft.model.schedule.WarmupSchedule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8 on the tiny Keras backbone (no shared material): partial unfreezing with discriminative learning rates,
 * class-weighted loss, early stopping, reproducibility with augmentation, and K-fold cross-validation.
 */
class FineTuningTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() {
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "green", "red"),
                List.of(Color.BLUE, Color.GREEN, Color.RED), 15, 40, 1);
    }

    private static TrainingConfig small(Mode mode) {
        return TrainingConfig.builder().optMode(mode).optHeadEpochs(1).optEpochs(2).optBatchSize(8)
                .optLearningRate(0.01).optPatience(0).build();
    }

    private static TrainingResult train(Backbone b, TrainingConfig config, String run) throws Exception {
        return TrainingJob.builder().setTrainData(data).setBackbone(b).setRunDir(tmp.resolve(run)).optConfig(config)
                .build().run();
    }

    @Test
    void blocksFollowTheLayerNames() {
        assertEquals("block2a", BackboneBlocks.blockOf("block2a_expand_conv"));
        assertEquals("block2a", BackboneBlocks.blockOf("block2a_project_bn"));
        assertEquals("3", BackboneBlocks.blockOf("conv_dw_3"));
        assertEquals("3", BackboneBlocks.blockOf("conv_pw_3_bn"));
        assertEquals("conv1", BackboneBlocks.blockOf("conv1_bn"));
        assertEquals("stem", BackboneBlocks.blockOf("stem_conv"));
        assertEquals("top", BackboneBlocks.blockOf("top_conv"));
        assertEquals("3", BackboneBlocks.blockOf("/features/features.3/features.3.1/block/block.0/Conv"));
        assertEquals("layer2", BackboneBlocks.blockOf("layer2.0.conv1"));
    }

    @Test
    void unfreezingTheLastBlockTrainsOnlyItWithTheBackboneLearningRate() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-unfreeze"));
        Backbone folded = b.withBatchNormFolded();
        assertEquals(List.of("conv1", "conv2"), BackboneBlocks.of(folded.graph(), folded.featureLayer()).names());
        TrainingConfig config = small(Mode.FINETUNE).toBuilder().optUnfreeze(1).optBackboneLearningRate(0.002)
                .build();
        TrainingResult r = train(b, config, "unfreeze-1");
        ComputationGraph g = r.bundle().graph();
        assertEquals(folded.graph().getLayer("conv1").params(), g.getLayer("conv1").params(),
                "the first block stays as it was");
        assertFalse(folded.graph().getLayer("conv2").params().equalsWithEps(g.getLayer("conv2").params(), 1e-7),
                "the last block learns");
        assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayer.class, g.getLayer("conv1"));
        // discriminative learning rates: the backbone's schedule peaks at --backbone-lr, the head's at --lr
        assertEquals(0.002, peak(g, "conv2"), 1e-12);
        assertEquals(0.01, peak(g, HeadGrafter.OUTPUT), 1e-12);
    }

    private static double peak(ComputationGraph g, String layer) {
        Adam adam = (Adam) ((BaseLayer) g.getLayer(layer).conf().getLayer()).getIUpdater();
        return ((WarmupSchedule) adam.getLearningRateSchedule()).getPeak();
    }

    @Test
    void autoClassWeightsAreInverseFrequencyAndWeighTheLossAsScikitLearnDoes() {
        List<String> labels = List.of("bad", "good");
        List<ImageEntry> imbalanced = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            imbalanced.add(new ImageEntry(Path.of("g" + i), i < 6 ? "bad" : "good"));
        }
        double[] w = ClassWeighting.parse("auto").resolve(labels, imbalanced);
        assertArrayEquals(new double[]{30 / (2.0 * 6), 30 / (2.0 * 24)}, w, 1e-12);
        assertArrayEquals(new double[]{3, 1}, ClassWeighting.parse("bad=3").resolve(labels, imbalanced), 1e-12);
        assertNull(ClassWeighting.parse("none").resolve(labels, imbalanced));
        // the recipe records the weights as a user would type them, and reads them back the same
        assertEquals("bad=3,good=0.5", ClassWeighting.parse(" good=0.5, bad=3 ").spec());
        assertEquals(ClassWeighting.parse("bad=3,good=0.5"), ClassWeighting.parse(ClassWeighting.parse(
                "good=0.5,bad=3").spec()));

        // the head's loss on a batch: mean over examples of -w[y] log p[y]
        TrainingConfig config = TrainingConfig.defaults().toBuilder().optDropout(0).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 2);
        int[] classes = {0, 1, 1, 1, 1, 0};
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, classes[i], 1);
        }
        ComputationGraph weighted = head(config, w);
        ComputationGraph plain = head(config, null);
        INDArray p = weighted.outputSingle(x);
        double expectedWeighted = 0;
        double expectedPlain = 0;
        for (int i = 0; i < 6; i++) {
            double logp = Math.log(p.getDouble(i, classes[i]));
            expectedWeighted -= w[classes[i]] * logp / 6;
            expectedPlain -= logp / 6;
        }
        assertEquals(expectedWeighted, weighted.score(new DataSet(x, y)), 1e-5);
        assertEquals(expectedPlain, plain.score(new DataSet(x, y)), 1e-5);
    }

    /** A head alone with fixed random weights (the same for both calls). */
    private static ComputationGraph head(TrainingConfig config, double[] weights) {
        var conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.1)).graphBuilder()
                .addInputs("features")
                .addLayer(HeadGrafter.DROPOUT, HeadGrafter.dropoutLayer(4, config), "features")
                .addLayer(HeadGrafter.OUTPUT, HeadGrafter.outputLayer(4, 2, weights), HeadGrafter.DROPOUT)
                .setOutputs(HeadGrafter.OUTPUT).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(11);
        g.getLayer(HeadGrafter.OUTPUT).setParams(Nd4j.rand(DataType.FLOAT, 1, 10).subi(0.5));
        return g;
    }

    @Test
    void classWeightsReachTheTrainedModelsLoss() throws Exception {
        TrainingResult r = train(TinyBackbone.load(tmp.resolve("cache-weights")),
                small(Mode.TRANSFER).toBuilder().optClassWeights(ClassWeighting.parse("red=4")).build(),
                "weights");
        var loss = ((org.deeplearning4j.nn.conf.layers.OutputLayer) r.bundle().graph()
                .getLayer(HeadGrafter.OUTPUT).conf().getLayer()).getLossFn();
        var weights = ((org.nd4j.linalg.lossfunctions.impl.LossMCXENT) loss).getWeights();
        assertArrayEquals(new float[]{1, 1, 4}, weights.toFloatVector(), 0f);
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() {
        List<EpochStats> h = new ArrayList<>();
        double[] f1 = {0.5, 0.7, 0.6, 0.7, 0.65};
        for (int i = 0; i < f1.length; i++) {
            h.add(new EpochStats(i + 1, TrainingPhase.HEAD, 1, 0.5, 1.0, 0.5, f1[i], 1e-3, 1));
        }
        // epoch 2 is best (epoch 4 ties on F1 but not on loss); three epochs since
        assertEquals(1, EarlyStopping.best(h, TrainingConfig.Monitor.MACRO_F1));
        assertTrue(EarlyStopping.shouldStop(h, TrainingConfig.Monitor.MACRO_F1, 3));
        assertFalse(EarlyStopping.shouldStop(h, TrainingConfig.Monitor.MACRO_F1, 4));
        assertFalse(EarlyStopping.shouldStop(h, TrainingConfig.Monitor.MACRO_F1, 0), "0 = never");
        h.add(new EpochStats(6, TrainingPhase.HEAD, 1, 0.5, 0.9, 0.5, 0.7, 1e-3, 1));
        assertEquals(5, EarlyStopping.best(h, TrainingConfig.Monitor.MACRO_F1), "same F1, lower loss");
        assertEquals(5, EarlyStopping.best(h, TrainingConfig.Monitor.VAL_LOSS));
    }

    @Test
    void aRunStopsEarlyWhenValidationStopsImproving() throws Exception {
        // colours are learnt at once: macro F1 reaches 1 and the loss soon stops falling enough to matter
        TrainingConfig config = TrainingConfig.builder().optEpochs(40).optBatchSize(8).optLearningRate(0.05)
                .optPatience(2).optMonitor(TrainingConfig.Monitor.ACCURACY).build();
        TrainingResult r = train(TinyBackbone.load(tmp.resolve("cache-early")), config, "early");
        assertTrue(r.history().size() < 40, "stopped after " + r.history().size() + " epochs");
        int best = EarlyStopping.best(r.history(), TrainingConfig.Monitor.ACCURACY);
        assertEquals(r.history().size() - 1 - best, 2, "stopped exactly patience epochs after the best");
        assertEquals(best + 1, r.bestEpoch());
    }

    @Test
    void theSameSeedGivesTheSameRunEvenWithAugmentation() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-repro"));
        TrainingConfig config = small(Mode.FINETUNE).toBuilder().optAugmentation(Augmentation.PHOTO).build();
        TrainingResult first = train(b, config, "repro-1");
        TrainingResult second = train(b, config, "repro-2");
        assertEquals(withoutTimes(first.history()), withoutTimes(second.history()));
        assertEquals(org.graft.common.Json.mapper().valueToTree(first.validation()),
                org.graft.common.Json.mapper().valueToTree(second.validation()));
        assertEquals(first.bundle().graph().params(), second.bundle().graph().params());
        assertEquals(Files.readString(first.runDir().resolve("split.csv")),
                Files.readString(second.runDir().resolve("split.csv")));
        // the samples of augmented images for the report: the plain crop and four variants per image
        try (var samples = Files.list(first.runDir().resolve(RunFolder.AUGMENTATION))) {
            assertEquals(15, samples.filter(p -> p.toString().endsWith(".png")).count());
        }
        TrainingResult other = train(b, config.toBuilder().optSeed(7).build(), "repro-3");
        assertFalse(withoutTimes(first.history()).equals(withoutTimes(other.history())), "another seed differs");
    }

    private static List<EpochStats> withoutTimes(List<EpochStats> h) {
        return h.stream().map(EpochStats::withoutTiming).toList();
    }

    @Test
    void kFoldCrossValidationReportsKResultsAndValidatesEachImageOnce() throws Exception {
        CrossValidation.Result cv = CrossValidation.builder().setTrainData(data)
                .setBackbone(() -> TinyBackbone.load(tmp.resolve("cache-folds"))).setRunDir(tmp.resolve("folds"))
                .setFolds(3).optConfig(small(Mode.TRANSFER).toBuilder().optEpochs(4).build()).build().run();
        assertEquals(3, cv.folds().size());
        assertEquals(45, cv.folds().stream().mapToInt(CrossValidation.Fold::validationImages).sum());
        Set<String> validated = new java.util.HashSet<>();
        for (TrainingResult r : cv.runs()) {
            for (String line : Files.readAllLines(r.runDir().resolve("split.csv")).subList(1,
                    Files.readAllLines(r.runDir().resolve("split.csv")).size())) {
                if (line.startsWith("val,")) {
                    assertTrue(validated.add(line.substring(line.lastIndexOf(',') + 1)), "validated twice: " + line);
                }
            }
        }
        assertEquals(45, validated.size());
        double mean = cv.folds().stream().mapToDouble(CrossValidation.Fold::accuracy).average().orElseThrow();
        assertEquals(mean, cv.meanAccuracy(), 1e-12);
        assertTrue(cv.sdAccuracy() >= 0);
        assertTrue(Files.isRegularFile(tmp.resolve("folds").resolve(CrossValidation.SUMMARY_FILE)));
    }
}
