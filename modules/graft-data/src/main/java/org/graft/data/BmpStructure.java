package org.graft.data;

/**
 * A BMP's headers and pixel data: uncompressed rows must all be in the file, and run-length data must reach its
 * end-of-bitmap code.
 */
final class BmpStructure {
    private static final String F = "BMP";
    private static final int RGB = 0;
    private static final int RLE8 = 1;
    private static final int RLE4 = 2;
    private static final int BITFIELDS = 3;
    private static final int ALPHA_BITFIELDS = 6;

    private BmpStructure() {
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        long data = b.u32le(10, "inside its file header");
        long dib = b.u32le(14, "inside its file header");
        long width;
        long height;
        int bpp;
        long compression;
        if (dib == 12) {
            width = b.u16le(18, "inside its header");
            height = b.u16le(20, "inside its header");
            bpp = b.u16le(24, "inside its header");
            compression = RGB;
        } else if (dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
            width = (int) b.u32le(18, "inside its header");
            height = (int) b.u32le(22, "inside its header");
            bpp = b.u16le(28, "inside its header");
            compression = dib == 16 ? RGB : b.u32le(30, "inside its header");
        } else {
            throw ImageDamage.damaged(F, "an unknown header (" + dib + " bytes)");
        }
        long rows = Math.abs(height);
        if (width <= 0 || rows == 0 || bpp == 0) {
            throw ImageDamage.damaged(F, "it declares a size of " + width + "x" + height + " at " + bpp + " bits");
        }
        if (compression == RGB || compression == BITFIELDS || compression == ALPHA_BITFIELDS) {
            long rowBytes = (bpp * width + 31) / 32 * 4;
            b.require(data, rowBytes * rows, "before its last row of pixels");
        } else if (compression == RLE8 || compression == RLE4) {
            checkRunLengths(b, data, compression == RLE4);
        } else {
            throw new ImageDamage("this kind of BMP (compression " + compression
                    + ") is not supported; re-save it as PNG");
        }
        return new ImageHeader(ImageFormat.BMP, (int) Math.min(width, Integer.MAX_VALUE), (int) Math.min(rows,
                Integer.MAX_VALUE));
    }

    private static void checkRunLengths(ImageBytes b, long pos, boolean fourBit) throws ImageDamage {
        String where = "before its end-of-bitmap code";
        while (true) {
            int count = b.u8(pos, where);
            int code = b.u8(pos + 1, where);
            pos += 2;
            if (count > 0 || code == 0) {
                continue; // a run, or the end of a line
            }
            if (code == 1) {
                return;
            }
            if (code == 2) {
                pos += 2; // a jump
            } else {
                long bytes = fourBit ? (code + 1) / 2 : code;
                pos += bytes + (bytes & 1); // literal pixels, padded to a word
            }
            b.require(pos, 0, where);
        }
    }
}
