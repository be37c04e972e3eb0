package org.graft.common;

/**
 * A problem the user can fix: bad input, a missing file, a wrong option.
 *
 * <p>The CLI prints {@link #getMessage()} and {@link #hint()} without a stack trace. Anything that is not a
 * GraftException is a bug in Graft (or the libraries below it) and is reported as such.
 */
public class GraftException extends RuntimeException {
    private final String hint;

    public GraftException(String message, String hint) {
        this(message, hint, null);
    }

    public GraftException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user can do about it; may be null. */
    public String hint() {
        return hint;
    }
}
