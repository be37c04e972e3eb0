package org.graft.data;

/**
 * A JPEG's segments, from its start marker to its end marker (EOI): every segment must fit in the file, and the
 * entropy-coded data after each scan header must run into a marker. Data after EOI is allowed (cameras append
 * some).
 */
final class JpegStructure {
    private static final String F = "JPEG";

    private JpegStructure() {
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        long pos = 2;
        ImageHeader header = null;
        boolean scanned = false;
        while (true) {
            int first = b.at(pos);
            if (first < 0) {
                throw ImageDamage.truncated(F, "before its end marker");
            }
            if (first != 0xFF) {
                throw ImageDamage.damaged(F, "stray bytes between its segments at byte " + pos);
            }
            while (b.at(pos + 1) == 0xFF) {
                pos++; // fill bytes
            }
            int marker = b.at(pos + 1);
            if (marker < 0) {
                throw ImageDamage.truncated(F, "before its end marker");
            }
            pos += 2;
            if (marker == 0xD9) {
                if (!scanned) {
                    throw ImageDamage.damaged(F, "it has no image data");
                }
                return header;
            }
            if (marker == 0xD8 || marker == 0x00) {
                throw ImageDamage.damaged(F, "an unexpected marker at byte " + (pos - 2));
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a length
            }
            int length = b.u16be(pos, "inside a segment header");
            if (length < 2) {
                throw ImageDamage.damaged(F, "a segment of impossible length at byte " + (pos - 2));
            }
            b.require(pos, length, "inside a segment");
            if (isFrameHeader(marker) && header == null) {
                b.require(pos, 8, "inside its frame header");
                header = new ImageHeader(ImageFormat.JPEG, b.u16be(pos + 5, ""), b.u16be(pos + 3, ""));
            }
            pos += length;
            if (marker == 0xDA) {
                if (header == null) {
                    throw ImageDamage.damaged(F, "image data before its frame header");
                }
                scanned = true;
                pos = endOfEntropyData(b, pos);
            }
        }
    }

    /** SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** The position of the marker that ends a scan's data: an FF not followed by a stuffed 00 or a restart. */
    private static long endOfEntropyData(ImageBytes b, long pos) throws ImageDamage {
        while (true) {
            long ff = b.indexOf(0xFF, pos);
            if (ff < 0) {
                throw ImageDamage.truncated(F, "inside its image data, before its end marker");
            }
            int next = b.at(ff + 1);
            if (next < 0) {
                throw ImageDamage.truncated(F, "inside its image data, before its end marker");
            }
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                pos = ff + 2;
            } else if (next == 0xFF) {
                pos = ff + 1;
            } else {
                return ff;
            }
        }
    }
}
