package org.graft.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * The decoders behind {@link ImageGate}, one per format so that a file always meets the same one: OpenCV for
 * JPEG (at 1/2, 1/4 or 1/8 of its size on request, EXIF orientation applied), PNG, BMP, TIFF and WebP; Java's
 * own GIF reader (OpenCV has none), chosen by class, since ImageIO's registry order of plugins is not fixed.
 */
final class ImageDecoding {
    private static final String JDK_GIF_READER = "com.sun.imageio.plugins.gif.GIFImageReader";

    private ImageDecoding() {
    }

    /**
     * The checked file's image as an 8-bit Mat, BGR or grey, at 1/{@code reduction} of its size (only JPEGs are
     * reduced). The caller closes it.
     */
    static Mat decode(Path file, BytePointer data, ImageHeader header, int reduction, boolean grey)
            throws UnreadableImageException {
        if (header.format() == ImageFormat.GIF) {
            return decodeGif(file, data, grey);
        }
        int flags = header.wideSamples() ? IMREAD_UNCHANGED : switch (reduction) {
            case 8 -> grey ? IMREAD_REDUCED_GRAYSCALE_8 : IMREAD_REDUCED_COLOR_8;
            case 4 -> grey ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_COLOR_4;
            case 2 -> grey ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_REDUCED_COLOR_2;
            default -> grey ? IMREAD_GRAYSCALE : IMREAD_COLOR;
        };
        Mat mat;
        try (Mat buffer = new Mat(1, (int) data.limit(), CV_8UC1, data)) {
            mat = imdecode(buffer, flags);
        }
        if (mat == null || mat.empty()) {
            if (mat != null) {
                mat.close();
            }
            throw new UnreadableImageException(file, "not a readable image: this " + header.format().displayName
                    + " could not be decoded (damaged, or a variant OpenCV does not read)");
        }
        if (mat.depth() == CV_8U && mat.channels() == (grey ? 1 : 3)) {
            return mat;
        }
        try (mat) {
            if (mat.channels() > 4) {
                throw new UnreadableImageException(file, "not a readable image: a " + header.format().displayName
                        + " with " + mat.channels() + " channels; save it as RGB");
            }
            return PixelConversion.toEightBit(mat, grey);
        }
    }

    private static Mat decodeGif(Path file, BytePointer data, boolean grey) throws UnreadableImageException {
        byte[] bytes = new byte[(int) data.limit()];
        data.get(bytes);
        ImageReader reader = jdkGifReader();
        BufferedImage img;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            img = reader.read(0); // the first frame
        } catch (IOException e) {
            throw new UnreadableImageException(file, "not a readable image: this GIF could not be decoded ("
                    + e.getMessage() + ")");
        } finally {
            reader.dispose();
        }
        BufferedImage converted = new BufferedImage(img.getWidth(), img.getHeight(),
                grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = converted.createGraphics();
        g.drawImage(img, 0, 0, null);
        g.dispose();
        byte[] pixels = ((DataBufferByte) converted.getRaster().getDataBuffer()).getData();
        Mat mat = new Mat(img.getHeight(), img.getWidth(), grey ? CV_8UC1 : CV_8UC3);
        mat.data().put(pixels);
        return mat;
    }

    private static ImageReader jdkGifReader() {
        ImageReader chosen = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("gif"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (chosen == null && r.getClass().getName().equals(JDK_GIF_READER)) {
                chosen = r;
            } else {
                r.dispose();
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("Java's GIF reader (" + JDK_GIF_READER + ") is missing");
        }
        return chosen;
    }
}
