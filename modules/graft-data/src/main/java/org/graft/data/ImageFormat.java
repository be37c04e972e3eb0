package org.graft.data;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An image file's format as its content says (magic bytes), whatever its name: Graft decodes the first six and
 * names the others, so that a HEIC photo or a JPEG 2000 scan is skipped with what to do rather than as "damaged".
 */
enum ImageFormat {
    JPEG("JPEG", null),
    PNG("PNG", null),
    GIF("GIF", null),
    BMP("BMP", null),
    TIFF("TIFF", null),
    WEBP("WebP", null),
    // OpenCV's JPEG 2000 codec (Jasper 1.900) is disabled in the bundled build for its security record; ImageIO has none
    JPEG2000("JPEG 2000", "JPEG 2000 is not supported; convert it to TIFF, PNG or JPEG"),
    JPEGXL("JPEG XL", "JPEG XL is not supported; convert it to JPEG or PNG"),
    HEIF("HEIC/HEIF", "HEIC/HEIF (the iPhone's photo format) is not supported; convert it to JPEG or PNG"),
    AVIF("AVIF", "AVIF is not supported; convert it to JPEG or PNG"),
    VIDEO("an MP4/QuickTime video", "videos are not supported; save the frames you need as JPEG or PNG"),
    SVG("SVG", "SVG (a vector drawing) is not supported; export it as PNG"),
    PSD("Photoshop (PSD)", "Photoshop files are not supported; save a flattened copy as TIFF or PNG"),
    PDF("PDF", "PDF is not an image format Graft reads; export its pages as images (PNG or JPEG)");

    /** The first bytes that {@link #of} needs (SVG text may open with a long XML prologue). */
    static final int SNIFF_BYTES = 4096;

    /** What a message calls it. */
    final String displayName;
    /** Why Graft cannot use it, with what to do; null for the formats Graft decodes. */
    final String unsupported;

    ImageFormat(String displayName, String unsupported) {
        this.displayName = displayName;
        this.unsupported = unsupported;
    }

    boolean isSupported() {
        return unsupported == null;
    }

    /** The decodable formats, as a message lists them. */
    static final String SUPPORTED_LIST = "JPEG, PNG, GIF, BMP, TIFF or WebP";

    /** The format of content beginning with {@code head}; null when it is none Graft knows. */
    static ImageFormat of(ImageBytes head) {
        if (head.at(0) == 0xFF && head.at(1) == 0xD8 && head.at(2) == 0xFF) {
            return JPEG;
        }
        if (head.matches(0, "\u0089PNG\r\n\u001a\n")) {
            return PNG;
        }
        if (head.matches(0, "GIF87a") || head.matches(0, "GIF89a")) {
            return GIF;
        }
        if (head.matches(0, "BM") && head.length() >= 26) {
            return BMP;
        }
        if (head.matches(0, "II*\0") || head.matches(0, "MM\0*") || head.matches(0, "II+\0")
                || head.matches(0, "MM\0+")) {
            return TIFF;
        }
        if (head.matches(0, "RIFF") && head.matches(8, "WEBP")) {
            return WEBP;
        }
        if (head.matches(0, "\0\0\0\u000cjP  \r\n\u0087\n") || head.matches(0, "\u00ffO\u00ffQ")) {
            return JPEG2000;
        }
        if (head.matches(0, "\u00ff\n") || head.matches(0, "\0\0\0\u000cJXL \r\n\u0087\n")) {
            return JPEGXL;
        }
        if (head.matches(4, "ftyp")) {
            return isoMediaBrand(head);
        }
        if (head.matches(0, "8BPS")) {
            return PSD;
        }
        if (head.matches(0, "%PDF-")) {
            return PDF;
        }
        return looksLikeSvg(head) ? SVG : null;
    }

    /** ISO base media files (HEIF, AVIF, MP4, QuickTime) say what they hold in their major brand. */
    private static ImageFormat isoMediaBrand(ImageBytes head) {
        for (String brand : new String[]{"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}) {
            if (head.matches(8, brand)) {
                return HEIF;
            }
        }
        return head.matches(8, "avif") || head.matches(8, "avis") ? AVIF : VIDEO;
    }

    private static boolean looksLikeSvg(ImageBytes head) {
        int n = Math.min(head.length(), SNIFF_BYTES);
        byte[] text = new byte[n];
        for (int i = 0; i < n; i++) {
            text[i] = (byte) head.at(i);
        }
        String s = new String(text, StandardCharsets.ISO_8859_1).stripLeading().toLowerCase(Locale.ROOT);
        if (s.startsWith("\u00ef\u00bb\u00bf")) {
            s = s.substring(3).stripLeading(); // a UTF-8 byte-order mark
        }
        return (s.startsWith("<?xml") || s.startsWith("<svg") || s.startsWith("<!doctype svg")
                || s.startsWith("<!--")) && s.contains("<svg");
    }
}
