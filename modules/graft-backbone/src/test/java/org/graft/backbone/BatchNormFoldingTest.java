package org.graft.backbone;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.Fetcher;
import org.graft.common.SharedMaterial;
import org.graft.model.BatchNormFolding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Folding BatchNorm into the convolutions of a frozen Keras backbone: fewer layers, the same outputs to 1e-4. */
class BatchNormFoldingTest {
    @TempDir
    Path tmp;

    static long batchNorms(ComputationGraph g) {
        return Arrays.stream(g.getLayers()).filter(l -> l.conf().getLayer() instanceof BatchNormalization).count();
    }

    private void foldsToTheSameOutputs(Backbone plain, Backbone folded, int expectedFolded) {
        long before = batchNorms(plain.graph());
        long after = batchNorms(folded.graph());
        assertEquals(expectedFolded, before - after, "BatchNorm layers folded");
        INDArray x = org.graft.data.TestImages.smoothBatch(plain.preprocessing());
        double diff = plain.graph().outputSingle(false, x).sub(folded.graph().outputSingle(false, x))
                .amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4, "max abs diff " + diff);
        assertEquals(plain.featureLayer(), folded.featureLayer());
    }

    private BackboneLoader.Builder loader(String cache) {
        return BackboneLoader.builder().setFetcher(Fetcher.builder().setCacheDir(tmp.resolve(cache)).optOffline(true)
                .build());
    }

    @Test
    void tinyKerasModel() {
        String file = TinyBackbone.file().toString();
        Backbone plain = loader("a").build().load(file);
        Backbone folded = loader("b").optFoldBatchNorm(true).build().load(file);
        foldsToTheSameOutputs(plain, folded, (int) batchNorms(plain.graph()));
        // the original graph is untouched, and a BatchNorm named as the feature layer stays
        String bn = Arrays.stream(plain.graph().getLayers()).filter(l -> l.conf().getLayer() instanceof
                BatchNormalization).findFirst().orElseThrow().conf().getLayer().getLayerName();
        ComputationGraph kept = BatchNormFolding.fold(plain.graph(), Set.of(bn));
        assertTrue(kept.getConfiguration().getVertices().containsKey(bn));
    }

    @Test
    void realMobileNet() {
        var file = SharedMaterial.find("models/mobilenet_v1_0.25_224.h5");
        assumeTrue(file.isPresent(), SharedMaterial.absentMessage("models/mobilenet_v1_0.25_224.h5"));
        Backbone plain = loader("a").build().load(file.get().toString());
        Backbone folded = loader("b").optFoldBatchNorm(true).build().load(file.get().toString());
        foldsToTheSameOutputs(plain, folded, 27);
    }

    @Test
    void efficientNetB0() throws Exception {
        assumeTrue(EfficientNetFixtures.available(), "Skipped: needs " + EfficientNetFixtures.NEEDS);
        Path fixtures = tmp.resolve("fixtures");
        EfficientNetFixtures.generate(fixtures, List.of());
        Backbone plain = EfficientNetFixtures.loader(fixtures, tmp.resolve("c1")).load("efficientnet-b0");
        BackboneLoader foldingLoader = BackboneLoader.builder().setFetcher(Fetcher.builder()
                        .setCacheDir(tmp.resolve("c2")).optMirrorDir(fixtures).optOffline(true).build())
                .optRegistry(EfficientNetFixtures.registryFor(fixtures)).optFoldBatchNorm(true).build();
        Backbone folded = foldingLoader.load("efficientnet-b0");
        foldsToTheSameOutputs(plain, folded, 49);
    }
}
