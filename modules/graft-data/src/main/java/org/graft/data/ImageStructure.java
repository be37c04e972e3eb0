package org.graft.data;

/**
 * Walks an image file's container structure to the end before anything decodes it: a file cut short or damaged
 * in its structure is refused here, since the decoders do not say so (libjpeg only warns "premature end of data"
 * and OpenCV ignores warnings, so a half-downloaded JPEG would be used with a grey lower half).
 */
final class ImageStructure {
    private ImageStructure() {
    }

    /** The checked header of a file of the given (supported) format, or what is wrong with it. */
    static ImageHeader check(ImageFormat format, ImageBytes bytes) throws ImageDamage {
        ImageHeader h = switch (format) {
            case JPEG -> JpegStructure.check(bytes);
            case PNG -> PngStructure.check(bytes);
            case GIF -> GifStructure.check(bytes);
            case BMP -> BmpStructure.check(bytes);
            case TIFF -> TiffStructure.check(bytes);
            case WEBP -> WebpStructure.check(bytes);
            default -> throw new IllegalArgumentException("no structure check for " + format);
        };
        if (h.width() <= 0 || h.height() <= 0) {
            throw ImageDamage.damaged(format.displayName, "it declares a size of " + h.width() + "x" + h.height());
        }
        return h;
    }
}
