package org.graft.train;

import org.graft.backbone.TinyBackbone;
import org.graft.common.BadOptionException;
import org.graft.common.Json;
import org.graft.data.Augmentation;
import org.graft.data.TestImages;
import org.graft.model.Checkpoint;
import org.graft.model.run.EpochStats;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job as a library user sees it: silent without listeners, events in order to the listeners added, the run
 * folder written by the job's own listeners, and a recipe that reads back as it was written.
 */
class TrainingListenerTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() {
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"), List.of(Color.BLUE, Color.RED),
                10, 32, 4);
    }

    /** Records the events it is given, by name. */
    private static final class Recorder implements TrainingListener {
        final List<String> events = new ArrayList<>();
        final List<EpochStats> epochs = new ArrayList<>();
        int batches;

        @Override
        public void onDataReady(PreparedData d) {
            events.add("data " + d.split().train().images().size() + "+" + d.split().validation().images().size());
        }

        @Override
        public void onModelReady(ModelReady m) {
            events.add("model " + m.classes());
        }

        @Override
        public void onPhaseStart(PhaseStart p) {
            events.add("phase " + p.plan().phase());
        }

        @Override
        public void onTrainingBatch(TrainingBatch b) {
            batches++;
        }

        @Override
        public void onEpoch(EpochEnd e) {
            events.add("epoch " + e.stats().epoch());
            epochs.add(e.stats());
        }

        @Override
        public void onTrainingEnd(TrainingResult r) {
            events.add("end " + r.bestEpoch());
        }
    }

    @Test
    void aJobPrintsNothingAndTellsItsListenersInOrder() throws Exception {
        Recorder recorder = new Recorder();
        PrintStream before = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TrainingResult result;
        System.setOut(new PrintStream(printed, true));
        try {
            result = TrainingJob.builder().setTrainData(data).setBackbone(TinyBackbone.load(tmp.resolve("cache")))
                    .setRunDir(tmp.resolve("run"))
                    .optConfig(TrainingConfig.builder().optMode(Mode.FINETUNE).optHeadEpochs(2).optEpochs(2)
                            .optBatchSize(8).optLearningRate(0.01).optPatience(0).build())
                    .addListener(recorder).build().run();
        } finally {
            System.setOut(before);
        }
        assertEquals("", printed.toString(), "a library job prints nothing of its own");
        assertEquals(List.of("data 16+4", "model 2", "phase head", "epoch 1", "epoch 2", "phase finetune", "epoch 3",
                "epoch 4", "end " + result.bestEpoch()), recorder.events);
        assertEquals(result.history(), recorder.epochs, "the listener saw the history the job returns");
        assertEquals(2 * 2 + 2 * 2, recorder.batches, "16 images in batches of 8, four epochs");

        // the job's own listeners kept the run folder: history, the best model, the checkpoint of the last epoch
        RunFolder run = RunFolder.at(result.runDir());
        assertEquals(result.history(), run.readHistory());
        assertEquals(result.bestEpoch(), run.readDescription().training().bestEpoch());
        Checkpoint last = run.readCheckpoint();
        assertEquals(TrainingPhase.FINETUNE, last.state().phase());
        assertEquals(2, last.state().epochsInPhase());
        assertEquals(result.history(), last.state().history());
        assertTrue(last.training().graph().getUpdater().getStateViewArray().sumNumber().doubleValue() != 0,
                "the checkpoint carries the optimiser's state");
    }

    @Test
    void theRecipeReadsBackAsItWasWritten() throws Exception {
        TrainingConfig config = TrainingConfig.builder().optMode(Mode.FINETUNE).optEpochs(1).optHeadEpochs(1)
                .optBatchSize(8).optUnfreeze(1).optBackboneLearningRate(0.003)
                .optClassWeights(ClassWeighting.parse("red=2")).optAugmentation(Augmentation.parse("rotate=5,blur"))
                .optMonitor(TrainingConfig.Monitor.VAL_LOSS).optSchedule(TrainingConfig.Schedule.ONECYCLE).build();
        TrainingResult r = TrainingJob.builder().setTrainData(data).setBackbone(TinyBackbone.load(tmp.resolve("c2")))
                .setRunDir(tmp.resolve("recipe")).optConfig(config).build().run();
        TrainingRecipe recipe = TrainingRecipe.read(RunFolder.at(r.runDir()), "read");
        assertEquals(config, recipe.config());
        assertEquals(data.toAbsolutePath().normalize().toString(), recipe.trainData());
        assertEquals(r.bundle().description().preprocessing(), recipe.backbone().preprocessing(),
                "the resolved preprocessing is recorded, so a rerun need not guess");
        assertEquals(r.bundle().description().backbone().featureLayer(), recipe.backbone().featureLayer());
        // what the model carries is the same recipe
        assertEquals(Json.mapper().valueToTree(config),
                Json.mapper().valueToTree(r.bundle().description().training().recipe()));
    }

    @Test
    void theBuilderKeepsOneSetOfDefaultsAndMovesModeDefaultsAlong() {
        TrainingConfig transfer = TrainingConfig.defaults();
        assertEquals(TrainingConfig.Schedule.CONSTANT, transfer.schedule());
        assertEquals(0, transfer.warmupEpochs());
        TrainingConfig finetune = transfer.toBuilder().optMode(Mode.FINETUNE).build();
        assertEquals(TrainingConfig.Schedule.COSINE, finetune.schedule(), "the mode's default follows the mode");
        assertEquals(1, finetune.warmupEpochs());
        assertEquals(transfer.learningRate() / 10, finetune.backboneLearningRate(), 1e-15);
        assertEquals(0.001, finetune.toBuilder().optLearningRate(0.01).build().backboneLearningRate(), 1e-15,
                "a tenth of the head's rate unless given");
        TrainingConfig given = TrainingConfig.builder().optMode(Mode.FINETUNE)
                .optSchedule(TrainingConfig.Schedule.ONECYCLE).build();
        assertEquals(TrainingConfig.Schedule.ONECYCLE, given.toBuilder().optEpochs(3).build().schedule(),
                "a given schedule stays");
        BadOptionException e = assertThrows(BadOptionException.class,
                () -> TrainingConfig.builder().optEpochs(0).build());
        assertTrue(e.getMessage().contains("--epochs"), e.getMessage());
    }
}
