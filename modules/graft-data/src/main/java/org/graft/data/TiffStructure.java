package org.graft.data;

/**
 * A TIFF's first directory (the page Graft uses; classic and BigTIFF): its size and samples, and every strip or
 * tile of its image data inside the file.
 */
final class TiffStructure {
    private static final String F = "TIFF";
    private static final int WIDTH = 256;
    private static final int HEIGHT = 257;
    private static final int BITS_PER_SAMPLE = 258;
    private static final int STRIP_OFFSETS = 273;
    private static final int STRIP_BYTE_COUNTS = 279;
    private static final int TILE_OFFSETS = 324;
    private static final int TILE_BYTE_COUNTS = 325;
    private static final int SAMPLE_FORMAT = 339;
    private static final int FLOAT_SAMPLES = 3;
    /** More strips or tiles than any image within the pixel limit has (one per row of 1,048,576 rows, 4 planes). */
    private static final long MAX_PIECES = 4L << 20;

    private final ImageBytes b;
    private final boolean little;
    private final boolean big;

    private TiffStructure(ImageBytes b) {
        this.b = b;
        this.little = b.at(0) == 'I';
        this.big = b.at(2) == 43 || b.at(3) == 43;
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        return new TiffStructure(b).firstPage();
    }

    private ImageHeader firstPage() throws ImageDamage {
        long ifd = big ? u64(8) : u32(4);
        long count = big ? u64(ifd) : u16(ifd);
        int entrySize = big ? 20 : 12;
        long first = ifd + (big ? 8 : 2);
        if (count <= 0 || count > 4096) {
            throw ImageDamage.damaged(F, "its first directory has " + count + " entries");
        }
        b.require(first, count * entrySize, "inside its first directory");
        long width = 0;
        long height = 0;
        long bits = 8;
        long sampleFormat = 1;
        long[] offsets = null;
        long[] counts = null;
        for (long e = first; e < first + count * entrySize; e += entrySize) {
            switch (u16(e)) {
                case WIDTH -> width = values(e)[0];
                case HEIGHT -> height = values(e)[0];
                case BITS_PER_SAMPLE -> bits = values(e)[0];
                case SAMPLE_FORMAT -> sampleFormat = values(e)[0];
                case STRIP_OFFSETS, TILE_OFFSETS -> offsets = values(e);
                case STRIP_BYTE_COUNTS, TILE_BYTE_COUNTS -> counts = values(e);
                default -> { }
            }
        }
        if (offsets == null) {
            throw ImageDamage.damaged(F, "its first page has no image data");
        }
        for (int i = 0; i < offsets.length; i++) {
            long size = counts != null && i < counts.length ? counts[i] : 1;
            b.require(offsets[i], size, "before the end of its image data");
        }
        boolean wide = sampleFormat == FLOAT_SAMPLES || bits > 16;
        return new ImageHeader(ImageFormat.TIFF, (int) Math.min(width, Integer.MAX_VALUE),
                (int) Math.min(height, Integer.MAX_VALUE), wide);
    }

    /** An entry's values (BYTE, SHORT, LONG, LONG8 or IFD), inline or where its offset points. */
    private long[] values(long entry) throws ImageDamage {
        int type = u16(entry + 2);
        long n = big ? u64(entry + 4) : u32(entry + 4);
        int size = switch (type) {
            case 1, 7 -> 1;
            case 3 -> 2;
            case 4, 13 -> 4;
            case 16, 18 -> 8;
            default -> throw ImageDamage.damaged(F, "a directory entry of unexpected type " + type);
        };
        if (n <= 0 || n > MAX_PIECES) {
            throw ImageDamage.damaged(F, "a directory entry with " + n + " values");
        }
        long field = entry + (big ? 12 : 8);
        long at = n * size <= (big ? 8 : 4) ? field : (big ? u64(field) : u32(field));
        b.require(at, n * size, "inside a directory entry's values");
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            long p = at + (long) i * size;
            out[i] = switch (size) {
                case 1 -> b.u8(p, "");
                case 2 -> u16(p);
                case 4 -> u32(p);
                default -> u64(p);
            };
        }
        return out;
    }

    private int u16(long pos) throws ImageDamage {
        return little ? b.u16le(pos, "inside its directory") : b.u16be(pos, "inside its directory");
    }

    private long u32(long pos) throws ImageDamage {
        return little ? b.u32le(pos, "inside its directory") : b.u32be(pos, "inside its directory");
    }

    private long u64(long pos) throws ImageDamage {
        long v = little ? b.u64le(pos, "inside its directory") : b.u64be(pos, "inside its directory");
        if (v < 0) {
            throw ImageDamage.damaged(F, "an offset beyond any file");
        }
        return v;
    }
}
