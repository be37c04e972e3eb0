package org.graft.data;

/**
 * One JPEG Huffman table (from a DHT segment) in canonical form: for each code length, the first and last code and
 * where its symbols start (JPEG standard, Annex C and F.2.2.3).
 */
final class JpegHuffman {
    /** Codes up to this many bits are decoded with one table look-up (most of them: short codes are common). */
    static final int LOOKAHEAD = 9;

    private final int[] minCode = new int[17];
    private final int[] maxCode = new int[17];
    private final int[] first = new int[17];
    private final int[] symbols;
    /** For every {@link #LOOKAHEAD}-bit prefix: (code length << 8) | symbol, or 0 for a longer code. */
    private final int[] look = new int[1 << LOOKAHEAD];

    private JpegHuffman(int[] counts, int[] symbols) {
        this.symbols = symbols;
        int code = 0;
        int k = 0;
        for (int length = 1; length <= 16; length++) {
            first[length] = k;
            minCode[length] = code;
            for (int i = 0; i < counts[length]; i++, code++, k++) {
                if (length <= LOOKAHEAD) {
                    int shift = LOOKAHEAD - length;
                    for (int fill = 0; fill < 1 << shift; fill++) {
                        look[(code << shift) | fill] = (length << 8) | symbols[k];
                    }
                }
            }
            maxCode[length] = counts[length] == 0 ? -1 : code - 1;
            code <<= 1;
        }
    }

    /** The look-up for the next {@link #LOOKAHEAD} bits: (code length << 8) | symbol, or 0 for a longer code. */
    int lookUp(int prefix) {
        return look[prefix];
    }

    /** Reads a table at {@code pos} (after its class/id byte); returns it and the position after it. */
    static JpegHuffman read(ImageBytes b, long pos, long[] next) throws ImageDamage {
        int[] counts = new int[17];
        int total = 0;
        for (int length = 1; length <= 16; length++) {
            counts[length] = b.u8(pos + length - 1, "inside a Huffman table");
            total += counts[length];
        }
        if (total > 256) {
            throw ImageDamage.damaged("JPEG", "a Huffman table with " + total + " codes");
        }
        int[] symbols = new int[total];
        for (int i = 0; i < total; i++) {
            symbols[i] = b.u8(pos + 16 + i, "inside a Huffman table");
        }
        next[0] = pos + 16 + total;
        return new JpegHuffman(counts, symbols);
    }

    /** The symbol of {@code code} if it is a code of this length, else -1. */
    int symbol(int code, int length) {
        if (maxCode[length] < 0 || code > maxCode[length] || code < minCode[length]) {
            return -1;
        }
        return symbols[first[length] + code - minCode[length]];
    }
}
