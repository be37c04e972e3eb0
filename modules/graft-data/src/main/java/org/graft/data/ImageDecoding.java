package org.graft.data;

import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Decoding an image file for {@link ImageLoader} (8-bit BGR) and {@link NearDuplicates} (8-bit grey): OpenCV from
 * the file's bytes (so Hangul or Hanja file names work), a large JPEG at 1/2, 1/4 or 1/8 of its size, and Java's
 * ImageIO for what OpenCV cannot read (GIF).
 */
final class ImageDecoding {
    private ImageDecoding() {
    }

    /** The file's bytes, or why they cannot be had. */
    static byte[] readBytes(Path file) throws UnreadableImageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError e) {
            throw new UnreadableImageException(file, "cannot read the file: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new UnreadableImageException(file, "the file is empty");
        }
        return bytes;
    }

    /** Refuses an image whose decoded size (after the JPEG reduction) would be over {@link ImageLoader#MAX_PIXELS}. */
    static void checkSize(Path file, ImageHeader header, int reduction) throws UnreadableImageException {
        if (header != null
                && (long) header.width() * header.height() / ((long) reduction * reduction) > ImageLoader.MAX_PIXELS) {
            throw new UnreadableImageException(file, "the image is too large (" + header.width() + "x"
                    + header.height() + " pixels); scale it down below " + ImageLoader.MAX_PIXELS / 1_000_000
                    + " megapixels");
        }
    }

    /**
     * The image as an 8-bit Mat, BGR or grey, decoded at 1/{@code reduction} of its size (1, 2, 4 or 8; only
     * JPEGs are reduced). The caller closes it.
     */
    static Mat decode(Path file, byte[] bytes, ImageHeader header, int reduction, boolean grey)
            throws UnreadableImageException {
        int flags = switch (reduction) {
            case 8 -> grey ? IMREAD_REDUCED_GRAYSCALE_8 : IMREAD_REDUCED_COLOR_8;
            case 4 -> grey ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_COLOR_4;
            case 2 -> grey ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_REDUCED_COLOR_2;
            default -> grey ? IMREAD_GRAYSCALE : IMREAD_COLOR;
        };
        try (Mat buffer = new Mat(1, bytes.length, CV_8UC1)) {
            buffer.data().put(bytes);
            Mat mat = imdecode(buffer, flags);
            if (mat != null && !mat.empty() && mat.channels() == (grey ? 1 : 3) && mat.depth() == 0) {
                return mat;
            }
            if (mat != null) {
                mat.close();
            }
        }
        if (header != null && (long) header.width() * header.height() > ImageLoader.MAX_PIXELS) {
            // ImageIO would decode it at full size
            throw new UnreadableImageException(file, "not a readable image (a " + header.width() + "x"
                    + header.height() + " " + header.format() + " that OpenCV cannot decode)");
        }
        return decodeWithImageIo(file, bytes, grey);
    }

    private static Mat decodeWithImageIo(Path file, byte[] bytes, boolean grey) throws UnreadableImageException {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException(file, "not a readable image (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new UnreadableImageException(file, "not a readable image (damaged, or a format Graft does not read)");
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
}
