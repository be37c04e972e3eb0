package org.graft.data;

/**
 * A GIF's blocks, from the screen descriptor to the trailer: every extension and image must fit in the file.
 * The size that counts is the first frame's (the one Graft uses).
 */
final class GifStructure {
    private static final String F = "GIF";

    private GifStructure() {
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        int flags = b.u8(10, "inside its screen descriptor");
        long pos = 13 + colourTableBytes(flags);
        ImageHeader first = null;
        while (true) {
            int block = b.u8(pos, "before its trailer");
            if (block == 0x3B) {
                if (first == null) {
                    throw ImageDamage.damaged(F, "it holds no image");
                }
                return first;
            } else if (block == 0x21) {
                b.u8(pos + 1, "inside an extension");
                pos = skipSubBlocks(b, pos + 2);
            } else if (block == 0x2C) {
                int w = b.u16le(pos + 5, "inside an image descriptor");
                int h = b.u16le(pos + 7, "inside an image descriptor");
                int imageFlags = b.u8(pos + 9, "inside an image descriptor");
                pos += 10 + colourTableBytes(imageFlags);
                b.u8(pos, "before an image's data"); // LZW minimum code size
                pos = skipSubBlocks(b, pos + 1);
                if (first == null) {
                    first = new ImageHeader(ImageFormat.GIF, w, h);
                }
            } else {
                throw ImageDamage.damaged(F, "an unknown block at byte " + pos);
            }
        }
    }

    private static long colourTableBytes(int flags) {
        return (flags & 0x80) == 0 ? 0 : 3L << ((flags & 7) + 1);
    }

    private static long skipSubBlocks(ImageBytes b, long pos) throws ImageDamage {
        while (true) {
            int size = b.u8(pos, "inside a block of data");
            pos++;
            if (size == 0) {
                return pos;
            }
            b.require(pos, size, "inside a block of data");
            pos += size;
        }
    }
}
