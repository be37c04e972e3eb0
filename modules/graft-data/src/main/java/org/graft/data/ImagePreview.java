package org.graft.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * A small preview of an image file (for a report's gallery), read through the {@link ImageGate}: the same verdict
 * as training gives the file, the same bounds (a 20000-pixel scan is decoded at 1/8, a FIFO never opened), and a
 * deterministic decoder, unlike {@code ImageIO.read}.
 */
public final class ImagePreview {
    private ImagePreview() {
    }

    /** The image scaled to fit in {@code maxSide} x {@code maxSide} (never enlarged), or why it cannot be read. */
    public static BufferedImage of(Path file, int maxSide) throws UnreadableImageException {
        ImageGate gate = new ImageGate();
        return gate.guarded(file, () -> {
            try (Mat bgr = gate.decode(file, new ImageGate.Request(maxSide, false))) {
                double s = Math.min(1.0, (double) maxSide / Math.max(bgr.cols(), bgr.rows()));
                int w = Math.max(1, (int) Math.round(bgr.cols() * s));
                int h = Math.max(1, (int) Math.round(bgr.rows() * s));
                try (Mat small = new Mat(); Size size = new Size(w, h)) {
                    resize(bgr, small, size, 0, 0, INTER_AREA);
                    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                    small.data().get(((DataBufferByte) out.getRaster().getDataBuffer()).getData());
                    return out;
                }
            }
        });
    }
}
