package org.graft.data;

/**
 * A PNG's chunks, from IHDR to IEND: each must fit in the file, and the checksums of the critical ones (IHDR,
 * PLTE, IDAT, IEND) must hold, as libpng requires.
 */
final class PngStructure {
    private static final String F = "PNG";

    private PngStructure() {
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        long pos = 8;
        ImageHeader header = null;
        boolean data = false;
        while (true) {
            if (pos >= b.length()) {
                throw ImageDamage.truncated(F, "before its IEND chunk");
            }
            long length = b.u32be(pos, "inside a chunk header");
            b.require(pos, 8, "inside a chunk header");
            String type = type(b, pos + 4);
            if (length > Integer.MAX_VALUE - 12) {
                throw ImageDamage.damaged(F, "a chunk of impossible length");
            }
            b.require(pos, 12 + length, "inside its " + type + " chunk");
            boolean critical = Character.isUpperCase(type.charAt(0));
            if (critical && b.crc32(pos + 4, 4 + (int) length) != b.u32be(pos + 8 + length, "")) {
                throw ImageDamage.damaged(F, "the checksum of its " + type + " chunk is wrong");
            }
            if (header == null) {
                if (!type.equals("IHDR") || length < 13) {
                    throw ImageDamage.damaged(F, "it does not begin with an IHDR chunk");
                }
                long w = b.u32be(pos + 8, "");
                long h = b.u32be(pos + 12, "");
                header = new ImageHeader(ImageFormat.PNG, (int) Math.min(w, Integer.MAX_VALUE),
                        (int) Math.min(h, Integer.MAX_VALUE));
            }
            data |= type.equals("IDAT");
            if (type.equals("IEND")) {
                if (!data) {
                    throw ImageDamage.damaged(F, "it has no image data");
                }
                return header;
            }
            pos += 12 + length;
        }
    }

    private static String type(ImageBytes b, long pos) throws ImageDamage {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = b.at(pos + i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                throw ImageDamage.damaged(F, "a chunk with an invalid type at byte " + pos);
            }
            s.append((char) c);
        }
        return s.toString();
    }
}
