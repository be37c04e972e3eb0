package org.graft.data;

import java.util.Arrays;

/**
 * How a backbone wants its images: it travels with the backbone into the saved model, so that prediction
 * prepares images exactly as training did.
 *
 * <p>An image is decoded, its shorter side resized to {@code resizeShorter}, centre-cropped to
 * {@code cropHeight x cropWidth}, put in {@code channelOrder}, and each value becomes
 * {@code (pixel * scale - mean[c]) / std[c]} (pixel in 0..255), laid out as {@code layout}.
 */
public record Preprocessing(int resizeShorter, int cropHeight, int cropWidth, ChannelOrder channelOrder,
                            double scale, double[] mean, double[] std, Layout layout, Interpolation interpolation) {

    public enum ChannelOrder { RGB, BGR }

    /** NCHW (channels first, DL4J's default) or NHWC (channels last, as imported from Keras/TensorFlow). */
    public enum Layout { NCHW, NHWC }

    public enum Interpolation { BILINEAR, BICUBIC, AREA }

    /** Larger inputs than this are no image model's: a guard against a damaged or hostile description. */
    public static final int MAX_SIZE = 8192;

    /** Every value is checked here, so that a preprocessing read from a file is either sane or refused. */
    public Preprocessing {
        if (cropHeight < 1 || cropWidth < 1 || cropHeight > MAX_SIZE || cropWidth > MAX_SIZE) {
            throw new IllegalArgumentException("the crop must be 1 to " + MAX_SIZE + " pixels a side (got "
                    + cropHeight + "x" + cropWidth + ")");
        }
        if (resizeShorter != 0 && (resizeShorter < Math.max(cropHeight, cropWidth) || resizeShorter > 4 * MAX_SIZE)) {
            throw new IllegalArgumentException("resizeShorter " + resizeShorter + " is smaller than the crop");
        }
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need three values (one per channel)");
        }
        if (!(Double.isFinite(scale) && scale != 0)) {
            throw new IllegalArgumentException("the scale must be a finite non-zero number (got " + scale + ")");
        }
        for (int c = 0; c < 3; c++) {
            if (!Double.isFinite(mean[c]) || !Double.isFinite(std[c]) || std[c] == 0) {
                throw new IllegalArgumentException("mean and std must be finite, std non-zero (got "
                        + Arrays.toString(mean) + ", " + Arrays.toString(std) + ")");
            }
        }
        if (channelOrder == null || layout == null || interpolation == null) {
            throw new IllegalArgumentException("channel order, layout and interpolation must be given");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Keras MobileNet / Inception style: RGB scaled to [-1, 1]. */
    public static Preprocessing kerasTf(int size, Layout layout) {
        return new Preprocessing(size, size, size, ChannelOrder.RGB, 1 / 127.5, new double[]{1, 1, 1},
                new double[]{1, 1, 1}, layout, Interpolation.BILINEAR);
    }

    /**
     * torchvision's ImageNet evaluation transform (EfficientNet-B0's weights, and the PyTorch course): shorter side
     * resized to {@code crop * 256 / 224} with bicubic interpolation, centre crop, RGB scaled to [0, 1], ImageNet
     * mean and std.
     */
    public static Preprocessing torchvision(int crop, Layout layout) {
        return new Preprocessing((int) Math.round(crop * 256 / 224.0), crop, crop, ChannelOrder.RGB, 1 / 255.0,
                new double[]{0.485, 0.456, 0.406}, new double[]{0.229, 0.224, 0.225}, layout, Interpolation.BICUBIC);
    }

    /** The same preparation with another tensor layout (ONNX models take NCHW, Keras models NHWC). */
    public Preprocessing withLayout(Layout newLayout) {
        return new Preprocessing(resizeShorter, cropHeight, cropWidth, channelOrder, scale, mean, std, newLayout,
                interpolation);
    }

    public int channels() {
        return 3;
    }

    /** Shape of one image tensor, batch dimension first. */
    public long[] shape(int batch) {
        return layout == Layout.NCHW ? new long[]{batch, 3, cropHeight, cropWidth}
                : new long[]{batch, cropHeight, cropWidth, 3};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && resizeShorter == p.resizeShorter && cropHeight == p.cropHeight
                && cropWidth == p.cropWidth && channelOrder == p.channelOrder && scale == p.scale
                && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std) && layout == p.layout
                && interpolation == p.interpolation;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[]{resizeShorter, cropHeight, cropWidth, channelOrder, scale,
                Arrays.hashCode(mean), Arrays.hashCode(std), layout, interpolation});
    }

    @Override
    public String toString() {
        return "resize shorter side to " + resizeShorter + ", centre crop " + cropHeight + "x" + cropWidth + ", "
                + channelOrder + ", x*" + scale + " - " + Arrays.toString(mean) + " / " + Arrays.toString(std)
                + ", " + layout + ", " + interpolation.name().toLowerCase(java.util.Locale.ROOT);
    }
}
