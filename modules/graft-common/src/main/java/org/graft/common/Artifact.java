package org.graft.common;

import java.util.List;

/**
 * Something Graft can download: a file with its official URL and, where the publisher gives one, its SHA-256.
 *
 * @param fileName   the name it is cached under (and looked up by in a mirror directory)
 * @param url        the official download address
 * @param checksum   expected checksum as the publisher gives it, lower-case hex: SHA-256 (64 digits) or MD5
 *                   (32 digits, as Keras publishes for its application weights); null when there is none
 * @param mirrorPaths relative paths under a mirror directory where a copy may be found, tried in order
 *                   (the bare file name is always tried last)
 */
public record Artifact(String fileName, String url, String checksum, List<String> mirrorPaths) {
    public Artifact {
        mirrorPaths = mirrorPaths == null ? List.of() : List.copyOf(mirrorPaths);
        if (checksum != null && checksum.length() != 64 && checksum.length() != 32) {
            throw new IllegalArgumentException("checksum must be SHA-256 (64 hex digits) or MD5 (32): " + checksum);
        }
    }

    /** "SHA-256" or "MD5", by the checksum's length. */
    public String checksumAlgorithm() {
        return checksum != null && checksum.length() == 32 ? "MD5" : "SHA-256";
    }
}
