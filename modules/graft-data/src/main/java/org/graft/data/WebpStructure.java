package org.graft.data;

/**
 * A WebP's RIFF container: its declared size within the file, every chunk inside it, and the size from its
 * bitstream header (lossy VP8, lossless VP8L, or the extended VP8X canvas). Animated WebP is refused: OpenCV
 * decodes single images only.
 */
final class WebpStructure {
    private static final String F = "WebP";

    private WebpStructure() {
    }

    static ImageHeader check(ImageBytes b) throws ImageDamage {
        long end = 8 + b.u32le(4, "inside its header");
        b.require(0, end, "before the end of its RIFF container");
        ImageHeader header = null;
        boolean bitstream = false;
        long pos = 12;
        while (pos < end) {
            b.require(pos, 8, "inside a chunk header");
            long size = b.u32le(pos + 4, "inside a chunk header");
            b.require(pos + 8, size, "inside a chunk");
            if (b.matches(pos, "VP8 ")) {
                bitstream = true;
                b.require(pos + 8, 10, "inside its VP8 header");
                if (b.u8(pos + 11, "") != 0x9D || b.u8(pos + 12, "") != 0x01 || b.u8(pos + 13, "") != 0x2A) {
                    throw ImageDamage.damaged(F, "its VP8 frame has no start code");
                }
                header = header != null ? header : new ImageHeader(ImageFormat.WEBP,
                        b.u16le(pos + 14, "") & 0x3FFF, b.u16le(pos + 16, "") & 0x3FFF);
            } else if (b.matches(pos, "VP8L")) {
                bitstream = true;
                b.require(pos + 8, 5, "inside its VP8L header");
                long bits = b.u32le(pos + 9, "inside its VP8L header");
                header = header != null ? header : new ImageHeader(ImageFormat.WEBP, (int) (bits & 0x3FFF) + 1,
                        (int) ((bits >> 14) & 0x3FFF) + 1);
            } else if (b.matches(pos, "VP8X") && header == null) {
                b.require(pos + 8, 10, "inside its VP8X header");
                if ((b.u8(pos + 8, "") & 0x02) != 0) {
                    throw new ImageDamage("animated WebP is not supported; save the frame you need as PNG or JPEG");
                }
                header = new ImageHeader(ImageFormat.WEBP, 1 + u24(b, pos + 12), 1 + u24(b, pos + 15));
            }
            pos += 8 + size + (size & 1);
        }
        if (!bitstream || header == null) {
            throw ImageDamage.damaged(F, "it holds no image");
        }
        return header;
    }

    private static int u24(ImageBytes b, long pos) throws ImageDamage {
        return b.u8(pos, "inside its VP8X header") | b.u8(pos + 1, "") << 8 | b.u8(pos + 2, "") << 16;
    }
}
