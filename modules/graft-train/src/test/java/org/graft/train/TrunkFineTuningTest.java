package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.backbone.TinyBackbone;
import org.graft.data.Augmentation;
import org.graft.data.TestImages;
import org.graft.engine.Engine;
import org.graft.model.run.EpochStats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --unfreeze N} with the frozen trunk split off ({@link TrunkFineTuneLoop}): the same losses and weights as
 * fitting the whole graph, whichever engine runs the trunk, with and without augmentation.
 */
class TrunkFineTuningTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() {
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "green", "red"),
                List.of(Color.BLUE, Color.GREEN, Color.RED), 12, 40, 1);
    }

    private static TrainingResult train(Backbone b, TrainingConfig config, String run, boolean split, Engine engine)
            throws Exception {
        return TrainingJob.builder().setTrainData(data).setBackbone(b).setRunDir(tmp.resolve(run)).optConfig(config)
                .optSplitFrozenTrunk(split).optEngine(engine).build().run();
    }

    private static TrainingConfig.Builder recipe() {
        return TrainingConfig.builder().optMode(Mode.FINETUNE).optHeadEpochs(1).optEpochs(3).optBatchSize(8)
                .optUnfreeze(1).optLearningRate(0.01).optBackboneLearningRate(0.005).optPatience(0);
    }

    @Test
    void theSplitTrainsAsTheWholeGraphDoesInEveryEngine() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache"));
        TrainingConfig config = recipe().build();
        TrainingResult whole = train(b, config, "whole", false, Engine.DL4J);
        assertFalse(b.withBatchNormFolded().graph().getLayer("conv2").params().equalsWithEps(
                whole.bundle().graph().getLayer("conv2").params(), 1e-7), "the unfrozen block learns");
        for (Engine engine : List.of(Engine.DL4J, Engine.AUTO)) {
            TrainingResult split = train(b, config, "split-" + engine.cliName(), true, engine);
            assertSameTraining(whole, split, engine.cliName());
            Map<String, String> engines = split.bundle().description().training().engines();
            String trunk = engines.get("finetune frozen blocks (up to conv1_relu)");
            assertTrue(trunk != null && trunk.startsWith(engine == Engine.AUTO ? "onnxruntime" : "dl4j"),
                    "the description says what ran the frozen blocks: " + engines);
        }
        assertFalse(whole.bundle().description().training().engines().keySet().stream()
                .anyMatch(k -> k.contains("frozen blocks")), "the whole graph has no split trunk");
    }

    @Test
    void augmentedImagesGoThroughTheTrunkEveryEpochAndStillTrainTheSame() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-augment"));
        TrainingConfig config = recipe().optAugmentation(Augmentation.PHOTO).build();
        TrainingResult whole = train(b, config, "whole-augment", false, Engine.DL4J);
        TrainingResult split = train(b, config, "split-augment", true, Engine.ONNXRUNTIME);
        assertSameTraining(whole, split, "augmented");
    }

    @Test
    void aGraphWithNothingFrozenIsNotSplit() {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-whole"));
        var whole = HeadGrafter.graft(b.withBatchNormFolded(), 3, recipe().optUnfreeze(TrainingConfig.ALL_BLOCKS)
                .build());
        assertTrue(TrunkSplit.of(whole).isEmpty(), "parameter-free input vertices alone are no frozen trunk");
        var partly = HeadGrafter.graft(b.withBatchNormFolded(), 3, recipe().build());
        assertEquals("conv1_relu", TrunkSplit.of(partly).orElseThrow().boundary());
    }

    /** Trained longer after it ended (a resume from its checkpoint): as if it had run the three epochs at once. */
    @Test
    void aResumedSplitRunEndsAsAnUninterruptedOne() throws Exception {
        Backbone b = TinyBackbone.load(tmp.resolve("cache-resume"));
        TrainingConfig three = recipe().optSchedule(TrainingConfig.Schedule.CONSTANT).build();
        TrainingConfig two = three.toBuilder().optEpochs(2).build();
        TrainingResult straight = train(b, three, "straight", true, Engine.AUTO);
        train(b, two, "resumed", true, Engine.AUTO);
        TrainingResult resumed = TrainingJob.builder().setTrainData(data).setBackbone(b)
                .setRunDir(tmp.resolve("resumed")).optConfig(three).optResume(true).build().run();
        assertSameTraining(straight, resumed, "resumed");
    }

    private static void assertSameTraining(TrainingResult whole, TrainingResult split, String what) {
        assertEquals(whole.history().size(), split.history().size());
        for (int e = 0; e < whole.history().size(); e++) {
            EpochStats a = whole.history().get(e);
            EpochStats b = split.history().get(e);
            assertEquals(a.trainLoss(), b.trainLoss(), 1e-4, what + ": training loss of epoch " + a.epoch());
            assertEquals(a.validationLoss(), b.validationLoss(), 1e-4, what + ": validation loss of epoch "
                    + a.epoch());
        }
        ComputationGraph g = whole.bundle().graph();
        ComputationGraph s = split.bundle().graph();
        for (var layer : g.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            INDArray expected = layer.params();
            if (expected == null) {
                continue;
            }
            INDArray actual = s.getLayer(name).params();
            double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
            double worst = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(worst <= 1e-4 * scale, what + ": weights of " + name + " differ by " + worst);
        }
    }
}
