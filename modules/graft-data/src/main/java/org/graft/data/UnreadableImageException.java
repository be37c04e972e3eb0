package org.graft.data;

import java.nio.file.Path;

/**
 * An image file that could not be turned into pixels; the message is the reason, meant for the user, the same
 * wherever the file is read (train, evaluate, predict). The cause, where there is one, is an internal error.
 */
public class UnreadableImageException extends Exception {
    private final Path path;

    public UnreadableImageException(Path path, String reason) {
        super(reason);
        this.path = path;
    }

    public UnreadableImageException(Path path, String reason, Throwable internalError) {
        super(reason, internalError);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
