package org.graft.data;

/**
 * Huffman-decodes one scan of a sequential JPEG (no dequantisation, no IDCT: only the codes, to count the blocks)
 * to find what libjpeg merely warns about and fills with grey: data that ends before the scan's last block
 * ("premature end of data segment": a file cut short and closed with an end marker), a code no table has ("bad
 * Huffman code"), and a restart marker missing where the restart interval puts one. Progressive, lossless and
 * arithmetic-coded JPEGs are left to the structure walk.
 */
final class JpegEntropyCheck {
    private static final String F = "JPEG";

    /** One component of the frame: its id and sampling factors. */
    record Component(int id, int h, int v) {
    }

    /** The scan's data (a heap copy: read byte by byte, an array is several times faster than a direct buffer). */
    private final byte[] data;
    private final int end;
    private int pos;
    /** Bits read ahead, right-aligned; {@code count} of them valid. */
    private long bits;
    private int count;
    /** Bits made up past the end of the data (libjpeg supplies zeros there); using one means the data ended early. */
    private int padding;

    private JpegEntropyCheck(java.nio.ByteBuffer bytes, long start, long end) {
        this.data = new byte[(int) (end - start)];
        bytes.get((int) start, data);
        this.pos = 0;
        this.end = data.length;
    }

    /**
     * Checks the scan whose data runs from {@code start} to the marker at {@code end}.
     *
     * @param scan       indices into {@code frame} of the scan's components, in order
     * @param dc         each scan component's DC table, {@code ac} its AC table (null: not defined)
     * @param restart    the restart interval in MCUs (0: none)
     */
    static void check(ImageBytes b, long start, long end, int width, int height, Component[] frame, int[] scan,
                      JpegHuffman[] dc, JpegHuffman[] ac, int restart) throws ImageDamage {
        for (int i = 0; i < scan.length; i++) {
            if (dc[i] == null || ac[i] == null) {
                return; // libjpeg then uses the standard tables (Motion-JPEG): nothing here to check against
            }
        }
        int hMax = 1;
        int vMax = 1;
        for (Component c : frame) {
            hMax = Math.max(hMax, c.h());
            vMax = Math.max(vMax, c.v());
        }
        long mcus;
        int[] blocksPerMcu = new int[scan.length];
        if (scan.length == 1) {
            Component c = frame[scan[0]];
            long w = ceil(ceil((long) width * c.h(), hMax), 8);
            long h = ceil(ceil((long) height * c.v(), vMax), 8);
            mcus = w * h;
            blocksPerMcu[0] = 1;
        } else {
            mcus = ceil(width, 8L * hMax) * ceil(height, 8L * vMax);
            for (int i = 0; i < scan.length; i++) {
                blocksPerMcu[i] = frame[scan[i]].h() * frame[scan[i]].v();
            }
        }
        new JpegEntropyCheck(b.buffer(), start, end).run(mcus, blocksPerMcu, dc, ac, restart);
    }

    private void run(long mcus, int[] blocksPerMcu, JpegHuffman[] dc, JpegHuffman[] ac, int restart)
            throws ImageDamage {
        int nextRestart = 0;
        for (long m = 0; m < mcus; m++) {
            if (restart > 0 && m > 0 && m % restart == 0) {
                expectRestart(nextRestart);
                nextRestart = (nextRestart + 1) & 7;
            }
            for (int i = 0; i < blocksPerMcu.length; i++) {
                for (int k = 0; k < blocksPerMcu[i]; k++) {
                    block(dc[i], ac[i]);
                }
            }
        }
    }

    private void block(JpegHuffman dc, JpegHuffman ac) throws ImageDamage {
        skip(symbol(dc) & 0x1F); // the DC difference's size, then its bits
        for (int k = 1; k < 64; k++) {
            int rs = symbol(ac);
            int run = rs >> 4;
            int size = rs & 0x0F;
            if (size == 0) {
                if (run != 15) {
                    return; // end of block
                }
                k += 15;
            } else {
                k += run;
                skip(size);
            }
        }
    }

    private int symbol(JpegHuffman table) throws ImageDamage {
        fill();
        int look = table.lookUp((int) (bits >>> (count - JpegHuffman.LOOKAHEAD)) & ((1 << JpegHuffman.LOOKAHEAD) - 1));
        if (look != 0) {
            consume(look >> 8);
            return look & 0xFF;
        }
        for (int length = JpegHuffman.LOOKAHEAD + 1; length <= 16; length++) {
            int s = table.symbol((int) (bits >>> (count - length)) & ((1 << length) - 1), length);
            if (s >= 0) {
                consume(length);
                return s;
            }
        }
        throw ImageDamage.damaged(F, "a Huffman code its tables do not have (corrupt image data)");
    }

    private void skip(int n) throws ImageDamage {
        if (n > 0) {
            fill();
            consume(n);
        }
    }

    private void consume(int n) throws ImageDamage {
        count -= n;
        if (count < padding) {
            throw new ImageDamage("damaged or truncated: the JPEG data ends before its last block (premature end of"
                    + " data segment)");
        }
    }

    /**
     * Tops the buffer up to at least 32 bits: data bytes (FF 00 is a data FF) until the marker that ends the data,
     * then zero bits, counted in {@link #padding}, which no code may use.
     */
    private void fill() {
        while (count < 32) {
            int v = -1;
            if (padding == 0 && pos < end) {
                v = data[pos] & 0xFF;
                if (v != 0xFF) {
                    pos++;
                } else if (pos + 1 < end && data[pos + 1] == 0) {
                    pos += 2;
                } else {
                    v = -1; // a marker: the data ends here
                }
            }
            if (v < 0) {
                padding += 8;
                v = 0;
            }
            bits = (bits << 8) | v;
            count += 8;
        }
    }

    /** At a restart interval's end: the bits left are padding, then RSTn must follow. */
    private void expectRestart(int n) throws ImageDamage {
        // the unread whole bytes in the buffer go back: the marker is right after the last byte used
        int unused = (count - padding) / 8;
        pos = backUp(pos, unused);
        bits = 0;
        count = 0;
        padding = 0;
        while (pos + 1 < end && data[pos] == (byte) 0xFF && data[pos + 1] == (byte) 0xFF) {
            pos++;
        }
        if (pos + 1 >= end || data[pos] != (byte) 0xFF || (data[pos + 1] & 0xFF) != 0xD0 + n) {
            throw ImageDamage.damaged(F, "restart marker " + n + " missing where its restart interval puts it");
        }
        pos += 2;
    }

    /** The position {@code bytes} data bytes before {@code pos} (a stuffed FF 00 is one data byte of two). */
    private int backUp(int pos, int bytes) {
        for (int i = 0; i < bytes; i++) {
            pos -= pos >= 2 && data[pos - 1] == 0 && data[pos - 2] == (byte) 0xFF ? 2 : 1;
        }
        return pos;
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
