package org.graft.train;

import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneLoader;
import org.graft.backbone.EfficientNetFixtures;
import org.graft.data.ImageLoader;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code train --backbone efficientnet-b0} from the weights-only file layout (a fixture with random weights,
 * found through the registry and a mirror exactly as a download is): transfer and fine-tuning run, and the saved
 * model, with Graft's custom vertices inside, predicts exactly what the trained one did.
 */
class EfficientNetTransferTest {
    @TempDir
    static Path tmp;
    static Path data;
    static BackboneLoader loader;

    @BeforeAll
    static void fixtures() throws Exception {
        if (!EfficientNetFixtures.available()) {
            System.err.println("Skipped: needs " + EfficientNetFixtures.NEEDS);
            return;
        }
        EfficientNetFixtures.generate(tmp.resolve("fx"), List.of());
        loader = EfficientNetFixtures.loader(tmp.resolve("fx"), tmp.resolve("cache"));
        data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"), List.of(Color.BLUE, Color.RED),
                6, 48, 4);
    }

    @BeforeEach
    void needsFixtures() {
        assumeTrue(loader != null, "Skipped: needs " + EfficientNetFixtures.NEEDS);
    }

    private TrainingResult train(Mode mode, String run, int epochs) throws Exception {
        // the fixture's weights are random, its BatchNorm statistics the initial 0 and 1: frozen, they leave 16
        // blocks' activations unnormalised and fine-tuning diverges, so BatchNorm trains here (real weights come
        // with real statistics; HymenopteraTransferTest fine-tunes those with BatchNorm frozen)
        return TrainingJob.builder().setTrainData(data).setBackbone(() -> loader.load("efficientnet-b0"))
                .setRunDir(tmp.resolve(run))
                .optConfig(TrainingConfig.builder().optMode(mode).optHeadEpochs(1).optEpochs(epochs).optBatchSize(4)
                        .optTrainBatchNorm(true).build())
                .build().run();
    }

    @Test
    void transferRunsAndTheSavedModelPredictsTheSame() throws Exception {
        TrainingResult r = train(Mode.TRANSFER, "transfer", 2);
        assertEquals("efficientnet-b0", r.bundle().description().backbone().name());
        assertEquals("avg_pool", r.bundle().description().backbone().featureLayer());
        ModelBundle loaded = ModelBundle.load(r.runDir());
        ImageLoader images = new ImageLoader(loaded.description().preprocessing());
        INDArray x = Nd4j.create(images.load(data.resolve("red/img_000.png")),
                loaded.description().preprocessing().shape(1), 'c');
        assertArrayEquals(r.bundle().graph().outputSingle(x).ravel().toFloatVector(),
                loaded.graph().outputSingle(x).ravel().toFloatVector(), 0f);
    }

    @Test
    void finetuneBackpropagatesThroughSqueezeExcitationAndPreprocessing() throws Exception {
        Backbone b = loader.load("efficientnet-b0");
        INDArray stemBefore = b.graph().getLayer("stem_conv").params().dup();
        TrainingResult r = train(Mode.FINETUNE, "finetune", 1);
        // the last epoch's weights (the best epoch may be the head's, before the backbone was unfrozen)
        ModelBundle last = ModelBundle.load(r.runDir().resolve("checkpoints").resolve("last.zip"));
        assertFalse(stemBefore.equalsWithEps(last.graph().getLayer("stem_conv").params(), 1e-9),
                "the first convolution learned, so gradients crossed every block");
    }
}
