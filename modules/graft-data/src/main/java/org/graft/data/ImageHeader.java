package org.graft.data;

/**
 * What an image file's structure check learnt before any pixel is decoded: its format (from the content), its
 * size (what the pixel budget is checked against) and whether its samples are wider than OpenCV's 8-bit colour
 * decoding converts (float or 32-bit TIFF samples, decoded as they are and converted by {@link PixelConversion}).
 */
record ImageHeader(ImageFormat format, int width, int height, boolean wideSamples) {
    ImageHeader(ImageFormat format, int width, int height) {
        this(format, width, height, false);
    }

    long pixels() {
        return (long) width * height;
    }
}
