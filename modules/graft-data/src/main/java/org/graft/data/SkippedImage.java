package org.graft.data;

import java.nio.file.Path;

/** An image file Graft could not use, and why. Every skipped file is listed in the run folder. */
public record SkippedImage(Path path, String reason) {
}
