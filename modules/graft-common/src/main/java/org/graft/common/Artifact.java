package org.graft.common;

import java.util.List;

/**
 * Something Graft can download: a file with its official URL and, where the publisher gives one, its SHA-256.
 *
 * @param fileName   the name it is cached under (and looked up by in a mirror directory)
 * @param url        the official download address
 * @param sha256     expected checksum, lower-case hex; null when the publisher gives none
 * @param mirrorPaths relative paths under a mirror directory where a copy may be found, tried in order
 *                   (the bare file name is always tried last)
 */
public record Artifact(String fileName, String url, String sha256, List<String> mirrorPaths) {
    public Artifact {
        mirrorPaths = mirrorPaths == null ? List.of() : List.copyOf(mirrorPaths);
    }
}
