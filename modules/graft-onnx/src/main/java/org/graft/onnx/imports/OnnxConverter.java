package org.graft.onnx.imports;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.GraftException;
import org.graft.common.UnexpectedFailure;

import java.nio.file.Path;

/**
 * Converts an ONNX image classifier (a CNN exported from PyTorch, timm, Keras via tf2onnx, ...) directly into a
 * DL4J {@link ComputationGraph}, so that {@code TransferLearning.GraphBuilder} can freeze it and replace its head.
 *
 * <p>DL4J's own ONNX importer (samediff-import-onnx) builds a SameDiff graph, not a ComputationGraph, and in
 * 1.0.0-M2.1 crashes on EfficientNet-B0 and gives wrong numbers on small models. This converter maps each ONNX op
 * onto DL4J layers and Graft's vertices through its {@link ConverterRegistry}, checking every attribute it meets:
 * one it cannot honour is an error naming the node, never a silently different network. BatchNormalization stays
 * a layer; {@code org.graft.model.BatchNormFolding} folds it into the convolutions afterwards where wanted.
 *
 * <p>Errors: a {@link GraftException} saying what is wrong with the file (damaged, unsupported); anything else is
 * a bug, reported as an {@link UnexpectedFailure} naming the file.
 *
 * <p>Builder: {@code optInputSize} sets the image size for models whose height and width are not fixed in the
 * file.
 */
public final class OnnxConverter {
    private final int[] inputSize;

    private OnnxConverter(Builder b) {
        this.inputSize = b.inputSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    public OnnxModel convert(Path file) {
        return convert(file, ConverterRegistry.standard());
    }

    /** With other converters (tests). */
    OnnxModel convert(Path file, ConverterRegistry registry) {
        try {
            return new OnnxGraphTranslator(OnnxFile.read(file), file.getFileName().toString(), inputSize, registry)
                    .translate();
        } catch (GraftException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UnexpectedFailure(file.toString(), e);
        }
    }

    /** All options are optional. */
    public static final class Builder {
        private int[] inputSize;

        /** Height and width of the images, for models that leave them open (dynamic axes). */
        public Builder optInputSize(int height, int width) {
            this.inputSize = new int[]{height, width};
            return this;
        }

        public OnnxConverter build() {
            return new OnnxConverter(this);
        }
    }
}
