package org.graft.cli;

import org.graft.common.BadOptionException;
import org.graft.data.Preprocessing;

/**
 * Preprocessing for a user's own model file, by the convention it was trained with. The layout given here is
 * Keras' NHWC; the backbone loader switches it to NCHW for ONNX models.
 */
enum PreprocessPreset {
    /** Keras "tf" mode (MobileNet, Inception, EfficientNet without built-in rescaling): RGB to [-1, 1]. */
    KERAS_TF,
    /** Keras "torch" mode: RGB to [0, 1], ImageNet mean/std, resized to the input size. */
    TORCH,
    /** torchvision's ImageNet transform (ONNX exports of torchvision models): resize 256, crop 224, bicubic. */
    TORCHVISION,
    /** Keras "caffe" mode (VGG, ResNet50 v1): BGR, ImageNet mean subtracted, 0..255. */
    CAFFE,
    /** Raw 0..255 RGB (models with their own Rescaling layer). */
    RAW;

    Preprocessing at(int size) {
        if (size < 1 || size > Preprocessing.MAX_SIZE) {
            throw new BadOptionException("--size must be 1 to " + Preprocessing.MAX_SIZE + " pixels (got " + size
                    + ").", "Give the input size the model was trained at, e.g. --size 224.");
        }
        Preprocessing.Layout nhwc = Preprocessing.Layout.NHWC;
        return switch (this) {
            case KERAS_TF -> Preprocessing.kerasTf(size, nhwc);
            case TORCH -> new Preprocessing(size, size, size, Preprocessing.ChannelOrder.RGB, 1 / 255.0,
                    new double[]{0.485, 0.456, 0.406}, new double[]{0.229, 0.224, 0.225}, nhwc,
                    Preprocessing.Interpolation.BILINEAR);
            case TORCHVISION -> Preprocessing.torchvision(size, nhwc);
            case CAFFE -> new Preprocessing(size, size, size, Preprocessing.ChannelOrder.BGR, 1.0,
                    new double[]{103.939, 116.779, 123.68}, new double[]{1, 1, 1}, nhwc,
                    Preprocessing.Interpolation.BILINEAR);
            case RAW -> new Preprocessing(size, size, size, Preprocessing.ChannelOrder.RGB, 1.0,
                    new double[]{0, 0, 0}, new double[]{1, 1, 1}, nhwc, Preprocessing.Interpolation.BILINEAR);
        };
    }
}
