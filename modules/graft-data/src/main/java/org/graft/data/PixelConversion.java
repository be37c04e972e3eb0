package org.graft.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import static org.bytedeco.opencv.global.opencv_core.CMP_LE;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.compare;
import static org.bytedeco.opencv.global.opencv_core.extractChannel;
import static org.bytedeco.opencv.global.opencv_core.minMaxLoc;
import static org.bytedeco.opencv.global.opencv_core.patchNaNs;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_TRUNC;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;

/**
 * An image decoded with its samples as they are (float or 32-bit TIFF) to 8-bit BGR or grey. OpenCV's own 8-bit
 * colour decoding refuses such files, so the range is decided here, from the content alone (deterministic): the
 * largest finite sample says whether the image is 0-1 (the float convention), 0-255, 0-65535, or is scaled by its
 * maximum. Negative samples become black, NaN black, +infinity white; an alpha channel is dropped (as OpenCV
 * drops it for 8-bit images).
 */
final class PixelConversion {
    private PixelConversion() {
    }

    /** A new 8-bit Mat with 3 channels (BGR) or 1 (grey); {@code src} is left to the caller. */
    static Mat toEightBit(Mat src, boolean grey) {
        try (Mat eight = new Mat()) {
            if (src.depth() == CV_8U) {
                src.copyTo(eight);
            } else {
                try (Mat floats = new Mat()) {
                    src.convertTo(floats, CV_32F);
                    patchNaNs(floats, 0);
                    double white = fullScale(floats);
                    // +infinity (and anything above white) to white: converting infinity to 8 bits is undefined
                    threshold(floats, floats, white, white, THRESH_TRUNC);
                    floats.convertTo(eight, CV_8U, 255.0 / white, 0);
                }
            }
            return toChannels(eight, grey);
        }
    }

    /** What sample value is white: 1, 255, 65535 or the largest finite sample. */
    static double fullScale(Mat floats) {
        double max = largestFinite(floats);
        return max <= 1 ? 1 : max <= 255 ? 255 : max <= 65535 ? 65535 : max;
    }

    private static double largestFinite(Mat floats) {
        try (Mat single = floats.reshape(1, 0); Mat abs = new Mat(); Mat finite = new Mat();
             Scalar zero = new Scalar(0.0); Scalar largest = new Scalar(Float.MAX_VALUE);
             Mat zeros = new Mat(single.size(), single.type(), zero);
             Mat limit = new Mat(single.size(), single.type(), largest)) {
            absdiff(single, zeros, abs);
            compare(abs, limit, finite, CMP_LE); // infinities out
            double[] min = new double[1];
            double[] max = new double[1];
            minMaxLoc(single, min, max, (Point) null, (Point) null, finite);
            return max[0];
        }
    }

    private static Mat toChannels(Mat eight, boolean grey) {
        Mat out = new Mat();
        switch (eight.channels()) {
            case 1 -> {
                if (grey) {
                    eight.copyTo(out);
                } else {
                    cvtColor(eight, out, COLOR_GRAY2BGR);
                }
            }
            case 2 -> { // grey + alpha
                try (Mat g = new Mat()) {
                    extractChannel(eight, g, 0);
                    if (grey) {
                        g.copyTo(out);
                    } else {
                        cvtColor(g, out, COLOR_GRAY2BGR);
                    }
                }
            }
            case 3 -> {
                if (grey) {
                    cvtColor(eight, out, COLOR_BGR2GRAY);
                } else {
                    eight.copyTo(out);
                }
            }
            case 4 -> cvtColor(eight, out, grey ? COLOR_BGRA2GRAY : COLOR_BGRA2BGR);
            default -> {
                out.close();
                throw new IllegalArgumentException(eight.channels() + " channels");
            }
        }
        return out;
    }
}
