package org.graft.data;

import java.nio.ByteBuffer;

/**
 * Bounds-checked reads from an image file's bytes for the structure checks: reading past the end is the file's
 * truncation (an {@link ImageDamage}), never an IndexOutOfBoundsException.
 */
final class ImageBytes {
    private final ByteBuffer bytes;
    /** What messages call the data ("JPEG"). */
    private final String format;

    ImageBytes(ByteBuffer bytes, String format) {
        this.bytes = bytes;
        this.format = format;
    }

    /** The same bytes, named as the format they hold. */
    ImageBytes as(String formatName) {
        return new ImageBytes(bytes, formatName);
    }

    /** The bytes themselves, for a reader that checks its own bounds. */
    ByteBuffer buffer() {
        return bytes;
    }

    int length() {
        return bytes.limit();
    }

    /**
     * Fails unless {@code count} bytes from {@code pos} are present; {@code where} says where the data was cut off.
     * A negative position or count comes from a damaged field and is damage too.
     */
    void require(long pos, long count, String where) throws ImageDamage {
        if (pos < 0 || count < 0) {
            throw new ImageDamage("damaged: an offset or length that cannot be (" + where + ")");
        }
        if (pos + count > bytes.limit()) {
            throw ImageDamage.truncated(format, where);
        }
    }

    int u8(long pos, String where) throws ImageDamage {
        require(pos, 1, where);
        return bytes.get((int) pos) & 0xFF;
    }

    int u16be(long pos, String where) throws ImageDamage {
        require(pos, 2, where);
        return ((bytes.get((int) pos) & 0xFF) << 8) | (bytes.get((int) pos + 1) & 0xFF);
    }

    int u16le(long pos, String where) throws ImageDamage {
        require(pos, 2, where);
        return (bytes.get((int) pos) & 0xFF) | ((bytes.get((int) pos + 1) & 0xFF) << 8);
    }

    long u32be(long pos, String where) throws ImageDamage {
        return ((long) u16be(pos, where) << 16) | u16be(pos + 2, where);
    }

    long u32le(long pos, String where) throws ImageDamage {
        return u16le(pos, where) | ((long) u16le(pos + 2, where) << 16);
    }

    long u64le(long pos, String where) throws ImageDamage {
        return u32le(pos, where) | (u32le(pos + 4, where) << 32);
    }

    long u64be(long pos, String where) throws ImageDamage {
        return (u32be(pos, where) << 32) | u32be(pos + 4, where);
    }

    /** The byte at {@code pos}, or -1 past the end (for scans that decide themselves what running out means). */
    int at(long pos) {
        return pos >= 0 && pos < bytes.limit() ? bytes.get((int) pos) & 0xFF : -1;
    }

    /** The position of the next byte equal to {@code value} from {@code from}, or -1. */
    long indexOf(int value, long from) {
        byte v = (byte) value;
        for (int i = (int) Math.max(0, from), n = bytes.limit(); i < n; i++) {
            if (bytes.get(i) == v) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the bytes at {@code pos} are {@code ascii} (false when they run out). */
    boolean matches(long pos, String ascii) {
        if (pos < 0 || pos + ascii.length() > bytes.limit()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if ((bytes.get((int) pos + i) & 0xFF) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** CRC-32 of {@code count} bytes from {@code pos} (present: the caller checked). */
    long crc32(long pos, int count) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        ByteBuffer view = bytes.duplicate();
        view.position((int) pos).limit((int) pos + count);
        crc.update(view);
        return crc.getValue();
    }
}
