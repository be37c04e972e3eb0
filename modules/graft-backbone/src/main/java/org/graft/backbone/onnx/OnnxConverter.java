package org.graft.backbone.onnx;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;

/**
 * Converts an ONNX image classifier (a CNN exported from PyTorch, timm, Keras via tf2onnx, ...) directly into a
 * DL4J {@link ComputationGraph}, so that {@code TransferLearning.GraphBuilder} can freeze it and replace its head.
 *
 * <p>DL4J's own ONNX importer (samediff-import-onnx) builds a SameDiff graph, not a ComputationGraph, and in
 * 1.0.0-M2.1 crashes on EfficientNet-B0 and gives wrong numbers on small models. This converter maps each ONNX op
 * onto DL4J layers and Graft's vertices, checking every attribute it meets: one it cannot honour is an error naming
 * the node, never a silently different network. See {@link OnnxGraphTranslator} for the op table.
 *
 * <p>Builder: {@code optInputSize} sets the image size for models whose height and width are not fixed in the
 * file; {@code optFoldBatchNorm} folds BatchNormalization into the convolution before it (the same outputs, less
 * work, but the statistics can no longer be fine-tuned separately).
 */
public final class OnnxConverter {
    private final int[] inputSize;
    private final boolean foldBatchNorm;

    private OnnxConverter(Builder b) {
        this.inputSize = b.inputSize;
        this.foldBatchNorm = b.foldBatchNorm;
    }

    public static Builder builder() {
        return new Builder();
    }

    public OnnxModel convert(Path file) {
        return new OnnxGraphTranslator(OnnxFile.read(file), file, inputSize, foldBatchNorm).translate();
    }

    /** All options are optional. */
    public static final class Builder {
        private int[] inputSize;
        private boolean foldBatchNorm;

        /** Height and width of the images, for models that leave them open (dynamic axes). */
        public Builder optInputSize(int height, int width) {
            this.inputSize = new int[]{height, width};
            return this;
        }

        public Builder optFoldBatchNorm(boolean fold) {
            this.foldBatchNorm = fold;
            return this;
        }

        public OnnxConverter build() {
            return new OnnxConverter(this);
        }
    }
}
