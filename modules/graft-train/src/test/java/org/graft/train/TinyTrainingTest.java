package org.graft.train;

import org.graft.backbone.Backbone;
import org.graft.backbone.TinyBackbone;
import org.graft.data.ImageLoader;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.graft.model.run.EpochStats;
import org.graft.model.run.TrainingPhase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training end to end on synthetic colour classes with the tiny Keras backbone: no shared material needed. */
class TinyTrainingTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() {
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "green", "red"),
                List.of(Color.BLUE, Color.GREEN, Color.RED), 15, 40, 1);
    }

    private TrainingResult train(Backbone b, Mode mode, String run, int epochs) throws Exception {
        return TrainingJob.builder().setTrainData(data).setBackbone(b).setRunDir(tmp.resolve(run))
                .optConfig(TrainingConfig.builder().optMode(mode).optEpochs(epochs).optBatchSize(8)
                        .optLearningRate(0.01).optPatience(0).build())
                .optEngine(org.graft.engine.Engine.DL4J).build().run();
    }

    @Test
    void transferLearnsColoursKeepsTheBackboneFrozenAndSavesWhatItTrained() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache"));
        // the frozen backbone's BatchNorm is folded into conv1 before training
        INDArray conv1Before = b.withBatchNormFolded().graph().getLayer("conv1").params().dup();
        TrainingResult r = train(b, Mode.TRANSFER, "transfer", 15);
        assertEquals(List.of("blue", "green", "red"), r.bundle().description().labels());
        assertEquals(9, r.validation().count(), "20% of 15 per class = 3 each");
        assertTrue(r.validation().accuracy() >= 0.9, "accuracy " + r.validation().accuracy());
        assertEquals(conv1Before, r.bundle().graph().getLayer("conv1").params(), "frozen backbone unchanged");

        // save -> load -> predict gives identical probabilities
        ModelBundle loaded = ModelBundle.load(r.runDir());
        ImageLoader loader = new ImageLoader(loaded.description().preprocessing());
        Path image = data.resolve("red/img_000.png");
        INDArray x = Nd4j.create(loader.load(image), loaded.description().preprocessing().shape(1), 'c');
        assertArrayEquals(r.bundle().graph().outputSingle(x).ravel().toFloatVector(),
                loaded.graph().outputSingle(x).ravel().toFloatVector(), 0f);
        assertEquals(15, r.history().size());
        assertTrue(r.history().get(14).trainLoss() < r.history().get(0).trainLoss(), "the loss goes down");
    }

    /** ONNX Runtime computing the frozen features: the same training, to float rounding. */
    @Test
    void onnxRuntimeFeaturesTrainTheSameHead() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-ort"));
        TrainingResult dl4j = train(b, Mode.TRANSFER, "engine-dl4j", 5);
        TrainingResult ort = TrainingJob.builder().setTrainData(data).setBackbone(b)
                .setRunDir(tmp.resolve("engine-ort"))
                .optConfig(TrainingConfig.builder().optEpochs(5).optBatchSize(8).optLearningRate(0.01).build())
                .optEngine(org.graft.engine.Engine.ONNXRUNTIME).build().run();
        for (int e = 0; e < 5; e++) {
            assertEquals(dl4j.history().get(e).trainLoss(), ort.history().get(e).trainLoss(), 1e-4, "epoch " + e);
            assertEquals(dl4j.history().get(e).validationLoss(), ort.history().get(e).validationLoss(), 1e-4,
                    "epoch " + e);
        }
        assertEquals(dl4j.validation().accuracy(), ort.validation().accuracy());
    }

    @Test
    void finetuneTrainsTheHeadFirstThenTheBackboneWithWarmupAndCosine() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache2"));
        INDArray conv1Before = b.withBatchNormFolded().graph().getLayer("conv1").params().dup();
        TrainingResult r = TrainingJob.builder().setTrainData(data).setBackbone(b).setRunDir(tmp.resolve("finetune"))
                .optConfig(TrainingConfig.builder().optMode(Mode.FINETUNE).optHeadEpochs(2).optEpochs(3)
                        .optBatchSize(8).optLearningRate(0.01).optPatience(0).build())
                .build().run();
        assertEquals(List.of(TrainingPhase.HEAD, TrainingPhase.HEAD, TrainingPhase.FINETUNE, TrainingPhase.FINETUNE,
                TrainingPhase.FINETUNE), r.history().stream().map(EpochStats::phase).toList());
        assertFalse(conv1Before.equalsWithEps(r.bundle().graph().getLayer("conv1").params(), 1e-7),
                "fine-tuning changes the backbone's first layer");
        assertEquals("finetune", r.bundle().description().training().mode());
        assertFalse(Double.isNaN(r.history().get(0).trainAccuracy()), "measured on cached features");
        assertTrue(Double.isNaN(r.history().get(2).trainAccuracy()), "not measured while fine-tuning");
        // frozen BatchNorm by default: folded into the convolutions, so no BatchNorm layer is left to update
        for (var layer : r.bundle().graph().getLayers()) {
            assertFalse(layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization,
                    layer.conf().getLayer().getLayerName());
        }
        // the head phase has a constant rate; fine-tuning warms up over its first epoch, then decays
        assertEquals(0.01, r.history().get(0).learningRate(), 1e-12);
        assertEquals(0.01, r.history().get(2).learningRate(), 1e-12, "the warm-up ends at the peak");
        assertTrue(r.history().get(3).learningRate() < r.history().get(2).learningRate());
        assertTrue(r.history().get(4).learningRate() < r.history().get(3).learningRate());
        // the whole recipe travels with the model
        var recipe = r.bundle().description().training().recipe();
        assertEquals(2, ((Number) recipe.get("headEpochs")).intValue());
        assertEquals("COSINE", recipe.get("schedule"));
        assertEquals(0.001, ((Number) recipe.get("backboneLearningRate")).doubleValue(), 1e-12);
    }

    @Test
    void frozenBatchNormUsesItsStoredStatisticsEvenWhileTraining() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache4"));
        ImageLoader loader = new ImageLoader(b.preprocessing());
        INDArray one = Nd4j.create(loader.load(data.resolve("red/img_000.png")), b.preprocessing().shape(1), 'c');
        INDArray batch = Nd4j.concat(0, one, Nd4j.create(loader.load(data.resolve("blue/img_000.png")),
                b.preprocessing().shape(1), 'c'), Nd4j.create(loader.load(data.resolve("green/img_000.png")),
                b.preprocessing().shape(1), 'c'));
        for (Mode mode : Mode.values()) {
            var g = HeadGrafter.graft(b, 3, TrainingConfig.builder().optMode(mode).build());
            // a training-mode forward pass: BatchNorm in training mode would use the batch's own statistics
            INDArray alone = g.feedForward(new INDArray[]{one}, true, false).get("conv1_bn");
            INDArray inBatch = g.feedForward(new INDArray[]{batch}, true, false).get("conv1_bn")
                    .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
            boolean same = alone.equalsWithEps(inBatch, 1e-5);
            if (mode == Mode.TRANSFER) {
                assertTrue(same, "frozen BatchNorm: the same output whatever else is in the batch");
            } else {
                assertFalse(same, "fine-tuned BatchNorm normalises with batch statistics");
            }
        }
    }

    @Test
    void featureCacheGivesIdenticalResultsAndRecomputesDamagedEntries() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache5"));
        Path cache = tmp.resolve("features");
        java.util.function.Function<String, TrainingResult> run = name -> {
            try {
                return TrainingJob.builder().setTrainData(data).setBackbone(b).setRunDir(tmp.resolve(name))
                        .optConfig(TrainingConfig.builder().optEpochs(3).optBatchSize(8).build())
                        .optFeatureCache(cache).build().run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        TrainingResult first = run.apply("cache-1");
        TrainingResult second = run.apply("cache-2");
        assertEquals(0, first.featureCacheHits());
        assertEquals(45, second.featureCacheHits(), "every image's features reused");
        assertEquals(first.bundle().graph().params(), second.bundle().graph().params(), "identical training");

        // damage one entry: it is detected, recomputed, and the result is still identical
        Path entry;
        try (var files = java.nio.file.Files.walk(cache)) {
            entry = files.filter(p -> p.toString().endsWith(".f32")).findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(entry);
        bytes[12] ^= 0x55;
        java.nio.file.Files.write(entry, bytes);
        TrainingResult third = run.apply("cache-3");
        assertEquals(1, third.featureCacheRejected());
        assertEquals(44, third.featureCacheHits());
        assertEquals(first.bundle().graph().params(), third.bundle().graph().params());
    }

    @Test
    void bestEpochIsTheOneSaved() throws Exception {
        TrainingResult r = train(TinyBackbone.load(tmp.resolve("cache3")), Mode.TRANSFER, "best", 6);
        EpochStats best = r.history().get(EarlyStopping.best(r.history(), TrainingConfig.Monitor.MACRO_F1));
        assertEquals(best.epoch(), r.bestEpoch());
        assertEquals(best.validationMacroF1(), r.validation().macroF1(), 1e-9);
        assertEquals(best.validationAccuracy(), r.validation().accuracy(), 1e-9);
        assertEquals(r.bestEpoch(), r.bundle().description().training().bestEpoch());
        assertEquals(best.validationAccuracy(), ((Number) ModelBundle.readDescription(r.runDir()).validation()
                .get("accuracy")).doubleValue(), 1e-9);
    }
}
