package org.graft.data;

import java.nio.file.Path;

/**
 * A file (or a whole hidden or system folder) that is not an image and was left alone: counted and listed, so
 * that a user can see why a folder of, say, PDF scans yields nothing.
 */
public record IgnoredFile(Path path, String reason) {
}
