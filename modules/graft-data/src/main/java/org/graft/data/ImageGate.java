package org.graft.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way Graft reads an image file, so that a file gets the same verdict in train, evaluate and predict:
 * pixels, or one reason. In order: the name must be one the platform can write back; the file must be a regular
 * file (after links) of at most {@link ImageFile#MAX_BYTES}; its content (not its name) decides its format, which
 * must be one Graft decodes; its structure must be complete ({@link ImageStructure}: truncation and damage the
 * decoders would let through); its size must be within the pixel limits; and only then is it decoded (by
 * {@link ImageDecoding}) and converted to 8-bit.
 *
 * <p>{@link #admit} runs the cheap first steps (no pixel read) for a folder scan; every later step belongs to
 * decoding, whose reasons are recorded the same way ({@code skipped.csv}, the {@code error} column). A bug or
 * exhausted memory while one image is decoded becomes that image's reason, logged once with its stack trace,
 * and never ends the command. Deterministic: nothing depends on threads or on ImageIO's plugin order.
 */
public final class ImageGate {
    private static final Logger log = LoggerFactory.getLogger(ImageGate.class);
    /** OpenCV refuses larger sides (CV_IO_MAX_IMAGE_WIDTH/HEIGHT). */
    static final int MAX_SIDE = 1 << 20;

    /** Images whose internal error was logged already (once each, not once per epoch). */
    private final Set<Path> reported = ConcurrentHashMap.newKeySet();

    /**
     * What to decode: grey or BGR, and how small a JPEG may be decoded (the largest of 1/8, 1/4, 1/2 that keeps
     * at least {@code minShorterSide} pixels on its shorter side; 0: full size).
     */
    record Request(int minShorterSide, boolean grey) {
    }

    /** Work on one image whose failures become that image's reason. */
    interface ImageWork<T> {
        T run() throws UnreadableImageException;
    }

    /**
     * The checks a folder scan makes (no pixels read): a name that can be written back, a regular, non-empty file
     * no larger than the limit, whose content is of a format Graft decodes. Whatever this refuses,
     * {@link #decode} refuses for the same reason.
     */
    public void admit(Path file) throws UnreadableImageException {
        guarded(file, () -> {
            ImageFile.check(file);
            return format(file, ImageFile.head(file, ImageFormat.SNIFF_BYTES));
        });
    }

    /** The image as an 8-bit Mat, BGR or grey, as {@code request} says. The caller closes it. */
    Mat decode(Path file, Request request) throws UnreadableImageException {
        return guarded(file, () -> {
            long size = ImageFile.check(file);
            try (BytePointer data = ImageFile.readAll(file, size)) {
                ImageBytes bytes = new ImageBytes(data.asByteBuffer(), "file's");
                ImageFormat format = format(file, bytes);
                ImageHeader header;
                try {
                    header = ImageStructure.check(format, bytes.as(format.displayName));
                } catch (ImageDamage d) {
                    throw new UnreadableImageException(file, d.getMessage());
                }
                int reduction = reduction(header, request.minShorterSide());
                checkSize(file, header, reduction);
                return ImageDecoding.decode(file, data, header, reduction, request.grey());
            }
        });
    }

    /**
     * Runs {@code work} on one image, turning a RuntimeException or an Error (OutOfMemoryError included) into that
     * image's reason. A LinkageError is not the image's fault (Graft's installation is broken) and is rethrown.
     */
    <T> T guarded(Path file, ImageWork<T> work) throws UnreadableImageException {
        try {
            return work.run();
        } catch (LinkageError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            if (reported.add(file)) {
                log.error("Internal error while decoding {} (the image is skipped; please report this as a bug in "
                        + "Graft, with this message)", file, e);
            }
            throw new UnreadableImageException(file, "could not be decoded (internal error: " + e + ")", e);
        }
    }

    /** The decodable format of the content, or why it is none. */
    private static ImageFormat format(Path file, ImageBytes head) throws UnreadableImageException {
        String byName = ImageFormats.refusedByName(file).orElse(null);
        if (byName != null) {
            throw new UnreadableImageException(file, "not a readable image: " + byName);
        }
        ImageFormat format = ImageFormat.of(head);
        if (format == null) {
            throw new UnreadableImageException(file, "not a readable image: the content is not "
                    + ImageFormat.SUPPORTED_LIST);
        }
        if (!format.isSupported()) {
            String ext = ImageFormats.extension(file);
            // say so where the name claims a format Graft reads (a JPEG 2000 scan saved as .jpg)
            throw new UnreadableImageException(file, "not a readable image: " + format.unsupported
                    + (ImageFormats.EXTENSIONS.contains(ext) ? " (" + format.displayName + " content named ." + ext
                    + ")" : ""));
        }
        return format;
    }

    /** 1, 2, 4 or 8: how much smaller a JPEG can be decoded (for free, by libjpeg) as the request allows. */
    static int reduction(ImageHeader header, int minShorterSide) {
        if (header.format() != ImageFormat.JPEG || minShorterSide <= 0) {
            return 1;
        }
        int shorter = Math.min(header.width(), header.height());
        for (int r : new int[]{8, 4, 2}) {
            if (shorter / r >= minShorterSide) {
                return r;
            }
        }
        return 1;
    }

    /** Refuses an image whose decoded size (after the JPEG reduction) would be over the limits. */
    private static void checkSize(Path file, ImageHeader header, int reduction) throws UnreadableImageException {
        if (header.pixels() / ((long) reduction * reduction) > ImageLoader.MAX_PIXELS) {
            throw new UnreadableImageException(file, "the image is too large (" + header.width() + "x"
                    + header.height() + " pixels); scale it down below " + ImageLoader.MAX_PIXELS / 1_000_000
                    + " megapixels");
        }
        if (header.width() > MAX_SIDE || header.height() > MAX_SIDE) {
            throw new UnreadableImageException(file, "the image is too long (" + header.width() + "x"
                    + header.height() + " pixels); Graft reads images of up to " + MAX_SIDE + " pixels a side");
        }
    }
}
