package org.graft.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Turns an image file into the float tensor a backbone expects, following its {@link Preprocessing}.
 *
 * <p>Files are read and decoded by the {@link ImageGate} (any file name; a large JPEG scan decoded at 1/2, 1/4 or
 * 1/8 size directly, so a 20,000-pixel page does not need gigabytes of memory). The resize keeps to a budget too:
 * where resizing the shorter side would make an image far larger than the crop (a 2x100000 strip would become
 * 224x11,200,000), the central region is cut out in the source first ({@link CropPlan}).
 *
 * <p>With an {@link Augmentation}, the methods that take a {@link Random} augment training images; given no
 * Random (validation, prediction) they load exactly as without augmentation. Whatever goes wrong with one image
 * is that image's {@link UnreadableImageException}, never a failure of its batch.
 */
public final class ImageLoader {
    /** Larger images are refused rather than risk running out of memory (a 250-megapixel image is ~750 MB). */
    public static final long MAX_PIXELS = 250_000_000L;

    private final Preprocessing pre;
    private final Augmentation augmentation;
    private final ImageGate gate = new ImageGate();

    /** A loader that never augments. */
    public ImageLoader(Preprocessing preprocessing) {
        this(preprocessing, Augmentation.NONE);
    }

    /** A loader that augments the images loaded with a {@link Random} (training); null means none. */
    public ImageLoader(Preprocessing preprocessing, Augmentation augmentation) {
        this.pre = Objects.requireNonNull(preprocessing, "preprocessing");
        this.augmentation = augmentation == null ? Augmentation.NONE : augmentation;
    }

    public Preprocessing preprocessing() {
        return pre;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    /** Number of floats in one image tensor. */
    public int tensorLength() {
        return 3 * pre.cropHeight() * pre.cropWidth();
    }

    /** Loads one image into {@code out} at {@code offset}, laid out as the preprocessing says. */
    public void load(Path file, float[] out, int offset) throws UnreadableImageException {
        load(file, out, offset, null);
    }

    /**
     * Loads one image into {@code out} at {@code offset}, augmented with choices drawn from {@code random} when this
     * loader has an augmentation; with {@code random} null, exactly as {@link #load(Path, float[], int)}.
     */
    public void load(Path file, float[] out, int offset, Random random) throws UnreadableImageException {
        gate.guarded(file, () -> {
            try (Mat crop = loadCrop(file, random)) {
                toTensor(crop, out, offset);
            }
            return null;
        });
    }

    /**
     * The 8-bit BGR image (cropHeight x cropWidth) that becomes the tensor: what training sees, before scaling and
     * normalisation. The caller closes it.
     */
    Mat loadCrop(Path file, Random random) throws UnreadableImageException {
        // a JPEG scan is decoded at 1/2, 1/4 or 1/8 of its size when that still leaves twice the resolution the
        // model needs (a 20000x20000 scan becomes 2500x2500)
        int minSide = pre.resizeShorter() > 0 ? 2 * pre.resizeShorter() : 0;
        return gate.guarded(file, () -> {
            try (Mat bgr = gate.decode(file, new ImageGate.Request(minSide, false))) {
                if (random == null || !augmentation.isEnabled()) {
                    return resizeAndCrop(bgr);
                }
                return augmented(bgr, random);
            }
        });
    }

    private Mat augmented(Mat bgr, Random random) {
        Mat crop;
        if (augmentation.cropEnabled()) {
            // the random resized crop replaces resize + centre crop: a random region straight to the crop size. Its
            // aspect jitters around the output's (or, when the preprocessing stretches, the image's own)
            double baseAspect = pre.resizeShorter() == 0 ? (double) bgr.cols() / bgr.rows()
                    : (double) pre.cropWidth() / pre.cropHeight();
            try (Rect r = ImageAugmenter.cropRegion(bgr.cols(), bgr.rows(), baseAspect, augmentation.cropMinArea(),
                    random); Mat region = new Mat(bgr, r)) {
                crop = resized(region, pre.cropWidth(), pre.cropHeight());
            }
        } else {
            crop = resizeAndCrop(bgr);
        }
        try (crop) {
            Mat result = ImageAugmenter.augment(crop, augmentation, random);
            if (result.cols() != pre.cropWidth() || result.rows() != pre.cropHeight() || result.channels() != 3) {
                result.close();
                throw new IllegalStateException("augmentation changed the image size");
            }
            return result;
        }
    }

    /** Loads one image as a new array. */
    public float[] load(Path file) throws UnreadableImageException {
        float[] out = new float[tensorLength()];
        load(file, out, 0);
        return out;
    }

    /**
     * A batch of images decoded in parallel (decoding, not the network, is often the bottleneck).
     *
     * @param features one row per readable image, in input order; null if none could be read
     * @param loaded   indices (into the input list) of the images in {@code features}
     * @param failures the images that could not be read, with the reason
     */
    public record Batch(INDArray features, List<Integer> loaded, List<UnreadableImageException> failures) {
    }

    public Batch loadBatch(List<Path> files) {
        return loadBatch(files, null);
    }

    /**
     * A batch with each image augmented using its own Random ({@code randoms.get(i)} for {@code files.get(i)}), so
     * the result does not depend on which thread decodes which image. {@code randoms} null: no augmentation.
     */
    public Batch loadBatch(List<Path> files, List<Random> randoms) {
        if (randoms != null && randoms.size() != files.size()) {
            throw new IllegalArgumentException(files.size() + " files but " + randoms.size() + " randoms");
        }
        int n = files.size();
        int len = tensorLength();
        float[] data = new float[n * len];
        UnreadableImageException[] errors = new UnreadableImageException[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            try {
                load(files.get(i), data, i * len, randoms == null ? null : randoms.get(i));
            } catch (UnreadableImageException e) {
                errors[i] = e;
            }
        });
        return pack(files, data, errors);
    }

    private Batch pack(List<Path> files, float[] data, UnreadableImageException[] errors) {
        int n = files.size();
        int len = tensorLength();
        List<Integer> ok = IntStream.range(0, n).filter(i -> errors[i] == null).boxed().toList();
        List<UnreadableImageException> failures = Arrays.stream(errors).filter(Objects::nonNull).toList();
        if (ok.isEmpty()) {
            return new Batch(null, ok, failures);
        }
        float[] packed = data;
        if (ok.size() < n) {
            packed = new float[ok.size() * len];
            for (int j = 0; j < ok.size(); j++) {
                System.arraycopy(data, ok.get(j) * len, packed, j * len, len);
            }
        }
        return new Batch(Nd4j.create(packed, pre.shape(ok.size()), 'c'), ok, failures);
    }

    /** The shorter side resized and the centre cropped, within the memory {@link CropPlan} allows. */
    Mat resizeAndCrop(Mat src) {
        if (pre.resizeShorter() == 0) {
            // no aspect-preserving resize: stretch straight to the crop size
            try (Mat sized = resized(src, pre.cropWidth(), pre.cropHeight())) {
                return crop(sized, 0, 0);
            }
        }
        CropPlan plan = CropPlan.of(src.cols(), src.rows(), pre.resizeShorter(), pre.cropWidth(), pre.cropHeight());
        try (Rect r = new Rect(plan.x(), plan.y(), plan.width(), plan.height()); Mat region = new Mat(src, r);
             Mat sized = resized(region, plan.resizedW(), plan.resizedH())) {
            return crop(sized, plan.cropX(), plan.cropY());
        }
    }

    private Mat resized(Mat src, int nw, int nh) {
        Mat dst = new Mat();
        boolean shrinking = nw < src.cols() && nh < src.rows();
        int interpolation = switch (pre.interpolation()) {
            case AREA -> INTER_AREA;
            case BICUBIC -> INTER_CUBIC;
            // Bilinear from far above the target aliases; area averaging is what bilinear should be there.
            case BILINEAR -> shrinking && src.cols() > 2 * nw ? INTER_AREA : INTER_LINEAR;
        };
        try (Size size = new Size(nw, nh)) {
            resize(src, dst, size, 0, 0, interpolation);
        }
        return dst;
    }

    private Mat crop(Mat src, int x, int y) {
        try (Rect r = new Rect(x, y, pre.cropWidth(), pre.cropHeight()); Mat view = new Mat(src, r)) {
            return view.clone();
        }
    }

    /** Packed BGR bytes to floats: channel order, scaling, mean/std and layout as preprocessing says. */
    private void toTensor(Mat bgr, float[] out, int offset) {
        int h = bgr.rows();
        int w = bgr.cols();
        byte[] px = new byte[h * w * 3];
        ((BytePointer) bgr.data()).get(px);
        boolean rgb = pre.channelOrder() == Preprocessing.ChannelOrder.RGB;
        float[] a = new float[3];
        float[] b = new float[3];
        for (int c = 0; c < 3; c++) {
            // value = (pixel * scale - mean) / std  ==  pixel * a + b
            a[c] = (float) (pre.scale() / pre.std()[c]);
            b[c] = (float) (-pre.mean()[c] / pre.std()[c]);
        }
        boolean nchw = pre.layout() == Preprocessing.Layout.NCHW;
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                int src = 3 * i + (rgb ? 2 - c : c); // OpenCV stores BGR
                float v = (px[src] & 0xFF) * a[c] + b[c];
                out[offset + (nchw ? c * plane + i : 3 * i + c)] = v;
            }
        }
    }
}
