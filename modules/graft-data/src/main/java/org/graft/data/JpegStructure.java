package org.graft.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A JPEG's segments, from its start marker to its end marker (EOI): every segment must fit in the file, and the
 * entropy-coded data after each scan header must run into a marker. In a sequential Huffman JPEG (what cameras,
 * scanners and most software write) each scan's codes are also counted to its last block
 * ({@link JpegEntropyCheck}). Data after EOI is allowed (cameras append some).
 */
final class JpegStructure {
    private static final String F = "JPEG";

    private final ImageBytes b;
    private final JpegHuffman[][] tables = new JpegHuffman[2][4];
    private JpegEntropyCheck.Component[] frame;
    private ImageHeader header;
    private boolean sequentialHuffman;
    private int restartInterval;

    private JpegStructure(ImageBytes b) {
        this.b = b;
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        return new JpegStructure(b).walk();
    }

    private ImageHeader walk() throws ImageDamage {
        long pos = 2;
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
                frame(marker, pos);
            } else if (marker == 0xC4) {
                huffmanTables(pos + 2, pos + length);
            } else if (marker == 0xDD && length >= 4) {
                restartInterval = b.u16be(pos + 2, "inside its restart interval");
            }
            long segment = pos;
            pos += length;
            if (marker == 0xDA) {
                if (header == null) {
                    throw ImageDamage.damaged(F, "image data before its frame header");
                }
                scanned = true;
                long end = endOfEntropyData(b, pos);
                scan(segment, pos, end);
                pos = end;
            }
        }
    }

    /** SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private void frame(int marker, long pos) throws ImageDamage {
        b.require(pos, 8, "inside its frame header");
        header = new ImageHeader(ImageFormat.JPEG, b.u16be(pos + 5, ""), b.u16be(pos + 3, ""));
        int n = b.u8(pos + 7, "");
        b.require(pos + 8, 3L * n, "inside its frame header");
        frame = new JpegEntropyCheck.Component[n];
        for (int i = 0; i < n; i++) {
            int hv = b.u8(pos + 9 + 3L * i, "");
            if ((hv >> 4) < 1 || (hv >> 4) > 4 || (hv & 15) < 1 || (hv & 15) > 4) {
                throw ImageDamage.damaged(F, "a component with sampling factors " + (hv >> 4) + "x" + (hv & 15));
            }
            frame[i] = new JpegEntropyCheck.Component(b.u8(pos + 8 + 3L * i, ""), hv >> 4, hv & 15);
        }
        // baseline and extended sequential Huffman: what the entropy check reads
        sequentialHuffman = marker == 0xC0 || marker == 0xC1;
    }

    private void huffmanTables(long pos, long end) throws ImageDamage {
        long[] next = new long[1];
        while (pos < end) {
            int classAndId = b.u8(pos, "inside a Huffman table");
            if ((classAndId >> 4) > 1 || (classAndId & 15) > 3) {
                throw ImageDamage.damaged(F, "a Huffman table of unknown class or number");
            }
            tables[classAndId >> 4][classAndId & 15] = JpegHuffman.read(b, pos + 1, next);
            pos = next[0];
        }
    }

    /** The scan header at {@code segment}, its data from {@code start} to the marker at {@code end}. */
    private void scan(long segment, long start, long end) throws ImageDamage {
        int n = b.u8(segment + 2, "inside a scan header");
        b.require(segment + 3, 2L * n, "inside a scan header");
        List<Integer> components = new ArrayList<>();
        JpegHuffman[] dc = new JpegHuffman[n];
        JpegHuffman[] ac = new JpegHuffman[n];
        for (int i = 0; i < n; i++) {
            int id = b.u8(segment + 3 + 2L * i, "");
            int index = -1;
            for (int c = 0; c < frame.length; c++) {
                index = frame[c].id() == id ? c : index;
            }
            if (index < 0) {
                throw ImageDamage.damaged(F, "a scan of a component its frame does not have");
            }
            components.add(index);
            int t = b.u8(segment + 4 + 2L * i, "");
            dc[i] = tables[0][(t >> 4) & 3];
            ac[i] = tables[1][t & 3];
        }
        if (sequentialHuffman && header.height() > 0 && n > 0) {
            JpegEntropyCheck.check(b, start, end, header.width(), header.height(), frame,
                    components.stream().mapToInt(Integer::intValue).toArray(), dc, ac, restartInterval);
        }
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
