package org.graft.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which file names are images. A file with one of these names is looked at (its content then decides its
 * format, see {@link ImageGate}); any other file is ignored, and listed as ignored.
 */
public final class ImageFormats {
    private ImageFormats() {
    }

    /** Extensions of the formats Graft decodes (JPEG, PNG, GIF, BMP, TIFF, WebP), without the dot; any case. */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "jpe", "jfif", "png", "bmp", "gif", "tif",
            "tiff", "webp");

    /**
     * Extensions of image formats Graft does not decode: such files are skipped with a reason that says what to
     * convert them to, rather than ignored (a class folder of HEIC photos would otherwise look empty).
     */
    public static final List<String> UNSUPPORTED_EXTENSIONS = List.of("heic", "heif", "hif", "avif", "jp2", "j2k",
            "jpf", "jpx", "jpm", "j2c", "jxl", "jxr", "wdp", "hdp", "svg", "svgz", "psd", "psb");

    /**
     * Camera raw formats: TIFF containers by design, so their content cannot tell them from a TIFF; decoding them
     * as one would give the embedded preview or noise.
     */
    private static final Set<String> CAMERA_RAW = Set.of("cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2",
            "dng", "orf", "rw2", "raf", "pef", "srw", "x3f", "3fr", "erf", "kdc", "mrw", "rwl", "iiq");

    /** Whether the file's name is that of an image (decodable or not); hidden files (".name") are not. */
    public static boolean isImageName(Path file) {
        String ext = extension(file);
        return !isHidden(file) && (EXTENSIONS.contains(ext) || UNSUPPORTED_EXTENSIONS.contains(ext)
                || CAMERA_RAW.contains(ext));
    }

    /** macOS resource forks ("._photo.jpg"), .DS_Store and other hidden files are never images. */
    static boolean isHidden(Path file) {
        return file.getFileName() != null && file.getFileName().toString().startsWith(".");
    }

    /** The extension in lower case, without the dot; "" when there is none. */
    static String extension(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    /** Why the name alone rules the file out (camera raw), if it does. */
    static Optional<String> refusedByName(Path file) {
        String ext = extension(file);
        return CAMERA_RAW.contains(ext) ? Optional.of("camera raw files (." + ext
                + ") are not supported; export them as TIFF or JPEG") : Optional.empty();
    }

    /** The extensions in the form DataVec's FileSplit wants, upper and lower case. */
    public static String[] dataVecFormats() {
        return EXTENSIONS.stream()
                .flatMap(e -> java.util.stream.Stream.of(e, e.toUpperCase(Locale.ROOT)))
                .toArray(String[]::new);
    }

    /** Whether a file's content is an image of a format Graft knows (decodable or not), whatever its name says. */
    public static boolean isImageContent(Path file) {
        try {
            return ImageFormat.of(ImageFile.head(file, ImageFormat.SNIFF_BYTES)) != null;
        } catch (UnreadableImageException unreadable) {
            return false;
        }
    }
}
