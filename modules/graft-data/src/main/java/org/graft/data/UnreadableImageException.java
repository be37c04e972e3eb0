package org.graft.data;

import java.nio.file.Path;

/** An image file that could not be turned into a tensor; the reason is meant for the user. */
public class UnreadableImageException extends Exception {
    private final Path path;

    public UnreadableImageException(Path path, String reason) {
        super(reason);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
