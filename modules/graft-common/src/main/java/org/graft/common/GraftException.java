package org.graft.common;

/**
 * A problem the user can fix: bad data, a wrong option, a model Graft cannot use, a damaged file, a failed
 * download, or something about the machine (a full disk, a busy port). Each kind is its own subclass, so that a
 * caller (or a test) can tell them apart; all of them carry a hint that says what to do.
 *
 * <p>The CLI prints {@link #getMessage()} and {@link #hint()} without a stack trace and exits with 2. Anything that
 * is not a GraftException is a bug in Graft (or the libraries below it) and is reported as such (exit 1): code
 * must never wrap an arbitrary {@code RuntimeException} into a GraftException, only the specific failures it
 * understands. Where a bug happens while a particular file is being read, {@link UnexpectedFailure} names it.
 */
public abstract class GraftException extends RuntimeException {
    private final String hint;

    protected GraftException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user can do about it; may be null. */
    public String hint() {
        return hint;
    }

    /** The kind of problem, in a word or two, for summaries ("bad data", "damaged file"). */
    public abstract String kind();
}
