package org.graft.data;

/**
 * What a structure check found wrong with an image file's bytes (truncated, damaged, or a kind Graft does not read),
 * as a reason for the user. The gate turns it into that file's {@link UnreadableImageException}.
 */
final class ImageDamage extends Exception {
    ImageDamage(String reason) {
        super(reason, null, false, false);
    }

    static ImageDamage truncated(String format, String where) {
        return new ImageDamage("damaged or truncated: the " + format + " data ends " + where);
    }

    static ImageDamage damaged(String format, String what) {
        return new ImageDamage("damaged: " + what + " (not a valid " + format + ")");
    }
}
