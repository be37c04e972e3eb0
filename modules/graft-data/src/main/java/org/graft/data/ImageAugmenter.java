package org.graft.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.datavec.image.data.ImageWritable;
import org.datavec.image.transform.FlipImageTransform;
import org.datavec.image.transform.ImageTransform;
import org.datavec.image.transform.RotateImageTransform;
import org.datavec.image.transform.WarpImageTransform;

import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT_101;
import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Applies an {@link Augmentation} to 8-bit BGR images; used by {@link ImageLoader}. Every random choice is drawn
 * from the {@link Random} given, in a fixed order, so one seed always gives the same image.
 */
final class ImageAugmenter {
    private static final int CROP_ATTEMPTS = 10;

    private ImageAugmenter() {
    }

    /**
     * The region of a {@code width x height} image that the random resized crop keeps.
     *
     * <p>As torchvision's RandomResizedCrop: an area fraction from {@code [cropMinArea, 1]} and an aspect ratio
     * (log-uniform in 3/4..4/3, relative to {@code baseAspect}, the width/height the crop is resized to) are drawn,
     * up to 10 times, until the region fits. Where none fits (a long strip of an image), the last draw is shrunk
     * until it does, at a random position, rather than falling back to a fixed centre crop.
     */
    static Rect cropRegion(int width, int height, double baseAspect, double cropMinArea, Random random) {
        double cw = width;
        double ch = height;
        for (int attempt = 0; attempt < CROP_ATTEMPTS; attempt++) {
            double area = (double) width * height * (cropMinArea + (1 - cropMinArea) * random.nextDouble());
            double logAspect = Math.log(Augmentation.MIN_ASPECT)
                    + (Math.log(Augmentation.MAX_ASPECT) - Math.log(Augmentation.MIN_ASPECT)) * random.nextDouble();
            double aspect = baseAspect * Math.exp(logAspect);
            cw = Math.sqrt(area * aspect);
            ch = Math.sqrt(area / aspect);
            if (cw <= width && ch <= height) {
                break;
            }
        }
        double fit = Math.min(1, Math.min(width / cw, height / ch));
        int w = Math.max(1, Math.min(width, (int) Math.round(cw * fit)));
        int h = Math.max(1, Math.min(height, (int) Math.round(ch * fit)));
        int x = random.nextInt(width - w + 1);
        int y = random.nextInt(height - h + 1);
        return new Rect(x, y, w, h);
    }

    /**
     * The transforms after the crop, on the image at its final size (cheaper than on the full decoded image):
     * flip, rotation, skew, colour jitter, blur, JPEG re-encoding. Returns a new image of the same size; {@code src}
     * is left as it is.
     */
    static Mat augment(Mat src, Augmentation a, Random random) {
        Mat cur = src.clone();
        try {
            if (a.flip() > 0 && random.nextDouble() < a.flip()) {
                // FlipImageTransform's own random mode also flips vertically (upside-down photos), so the coin is
                // tossed here and the transform is used deterministically: flip code 1 = around the vertical axis
                cur = replace(cur, viaDataVec(new FlipImageTransform(1), cur));
            }
            if (a.rotateDegrees() > 0) {
                // DataVec fills the corners black by default: a classifier could learn from those, so replicate the
                // border instead
                cur = replace(cur, viaDataVec(new RotateImageTransform(random, 0, 0, (float) a.rotateDegrees(), 0)
                        .borderMode(BORDER_REPLICATE), cur));
            }
            if (a.skew() > 0) {
                // each corner moves by up to skew x the size, as a page photographed at a slight angle
                float dx = (float) (a.skew() * cur.cols());
                float dy = (float) (a.skew() * cur.rows());
                cur = replace(cur, viaDataVec(new WarpImageTransform(random, dx, dy, dx, dy, dx, dy, dx, dy)
                        .borderMode(BORDER_REPLICATE), cur));
            }
            if (a.colorJitter() > 0) {
                cur = replace(cur, colorJitter(cur, a.colorJitter(), random));
            }
            if (a.blurSigma() > 0 && random.nextDouble() < Augmentation.BLUR_PROBABILITY) {
                double sigma = a.blurSigma() * (0.1 + 0.9 * random.nextDouble());
                Mat blurred = new Mat();
                try (Size auto = new Size(0, 0)) {
                    GaussianBlur(cur, blurred, auto, sigma, sigma, BORDER_REFLECT_101);
                }
                cur = replace(cur, blurred);
            }
            if (a.jpegMinQuality() > 0 && random.nextDouble() < Augmentation.JPEG_PROBABILITY) {
                int min = a.jpegMinQuality();
                int quality = min + random.nextInt(Math.max(min, Augmentation.JPEG_MAX_QUALITY) - min + 1);
                cur = replace(cur, jpeg(cur, quality));
            }
            return cur;
        } catch (RuntimeException | Error e) {
            cur.close();
            throw e;
        }
    }

    private static Mat replace(Mat old, Mat next) {
        old.close();
        return next;
    }

    /** Runs a DataVec transform on a Mat; returns the transform's new Mat. */
    private static Mat viaDataVec(ImageTransform transform, Mat src) {
        OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
        ImageWritable out = transform.transform(new ImageWritable(converter.convert(src)));
        // the frame of a converted Mat carries that Mat, so this is the transform's result, not a copy
        Mat result = converter.convert(out.getFrame());
        return result == src ? src.clone() : result;
    }

    /**
     * Brightness, contrast (around the mean grey) and saturation each scaled by a factor in 1 ± amount, in 8 bits
     * with saturation at 0 and 255. DataVec has no colour-jitter transform.
     */
    private static Mat colorJitter(Mat src, double amount, Random random) {
        double brightness = 1 + amount * (2 * random.nextDouble() - 1);
        double contrast = 1 + amount * (2 * random.nextDouble() - 1);
        double saturation = 1 + amount * (2 * random.nextDouble() - 1);
        try (Mat grey = new Mat(); Mat adjusted = new Mat(); Mat greyBgr = new Mat()) {
            cvtColor(src, grey, COLOR_BGR2GRAY);
            double meanGrey;
            try (Scalar m = mean(grey)) {
                meanGrey = m.get(0);
            }
            // brightness * ((x - mean) * contrast + mean)  ==  x * alpha + beta
            src.convertTo(adjusted, -1, brightness * contrast, brightness * (1 - contrast) * meanGrey);
            // saturation: blend with the image's own grey version
            cvtColor(adjusted, grey, COLOR_BGR2GRAY);
            cvtColor(grey, greyBgr, COLOR_GRAY2BGR);
            Mat out = new Mat();
            addWeighted(adjusted, saturation, greyBgr, 1 - saturation, 0, out);
            return out;
        }
    }

    /** Encodes as JPEG at {@code quality} and decodes again: the block artefacts of a compressed upload. */
    private static Mat jpeg(Mat src, int quality) {
        try (BytePointer encoded = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            if (!imencode(".jpg", src, encoded, params)) {
                throw new IllegalStateException("OpenCV could not encode a JPEG");
            }
            try (Mat buffer = new Mat(1, (int) encoded.limit(), CV_8UC1, encoded)) {
                Mat decoded = imdecode(buffer, IMREAD_COLOR);
                if (decoded == null || decoded.empty()) {
                    throw new IllegalStateException("OpenCV could not decode its own JPEG");
                }
                return decoded;
            }
        }
    }

    /** Encodes an 8-bit BGR image as PNG bytes (for the augmentation samples in reports). */
    static byte[] png(Mat bgr) {
        try (BytePointer encoded = new BytePointer()) {
            if (!imencode(".png", bgr, encoded)) {
                throw new IllegalStateException("OpenCV could not encode a PNG");
            }
            byte[] bytes = new byte[(int) encoded.limit()];
            encoded.get(bytes);
            return bytes;
        }
    }
}
