package org.graft.common;

/**
 * A bug (in Graft or a library below it) that struck while a particular file was being worked on: the original
 * exception, with the file it happened on, so that a bug report says which input to send. Deliberately not a
 * {@link GraftException}: it is not the user's to fix, and the CLI reports it as a bug (exit 1).
 */
public final class UnexpectedFailure extends RuntimeException {
    private final String subject;

    public UnexpectedFailure(String subject, RuntimeException cause) {
        super("while working on " + subject + ": " + cause, cause);
        this.subject = subject;
    }

    /** The file (or other input) being worked on. */
    public String subject() {
        return subject;
    }
}
