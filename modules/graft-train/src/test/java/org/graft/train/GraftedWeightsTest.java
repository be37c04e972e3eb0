package org.graft.train;

import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneLoader;
import org.graft.common.Fetcher;
import org.graft.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grafted graph computes the backbone's own features. DL4J's TransferLearning.GraphBuilder scrambles the
 * weights of depthwise convolutions that have a bias (ONNX imports; BatchNorm folded into them), so Graft copies
 * parameters by name after grafting; this test fails without that.
 */
class GraftedWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void depthwiseConvolutionsWithBiasKeepTheirWeights() throws Exception {
        Path onnx = tmp.resolve("tiny_cnn.onnx");
        try (InputStream in = GraftedWeightsTest.class.getResourceAsStream("/onnx-ops/tiny_cnn.onnx")) {
            Files.copy(in, onnx);
        }
        for (boolean fold : new boolean[]{false, true}) {
            Backbone backbone = BackboneLoader.builder()
                    .setFetcher(Fetcher.builder().setCacheDir(tmp.resolve("cache")).optOffline(true).build())
                    .optFoldBatchNorm(fold).build().load(onnx.toString());
            INDArray x = TestImages.smoothBatch(backbone.preprocessing());
            INDArray expected = backbone.graph().feedForward(x, false).get(backbone.featureLayer()).dup();
            var grafted = HeadGrafter.graft(backbone, 3, TrainingConfig.defaults());
            INDArray features = HeadGrafter.featureExtractor(grafted, HeadGrafter.headInput(backbone))
                    .outputSingle(false, x);
            double diff = expected.reshape(features.shape()).sub(features).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, (fold ? "BN folded: " : "BN kept: ") + "grafted features differ by " + diff);
        }
    }
}
