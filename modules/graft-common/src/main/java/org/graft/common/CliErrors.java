package org.graft.common;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How a Graft command line reports a failure: a user's mistake as one message and a hint, anything else as a bug. */
public final class CliErrors {
    /** Exit code of a problem the user can fix ({@link GraftException}). */
    public static final int USER_ERROR = 2;
    /** Exit code of a bug. */
    public static final int BUG = 1;

    private CliErrors() {
    }

    /**
     * Prints the error and returns the exit code: {@link #USER_ERROR} for a {@link GraftException}, {@link #BUG}
     * for anything else (with the file it struck on, for an {@link UnexpectedFailure}). Stack traces only with
     * {@code debug}.
     */
    public static int report(Exception e, boolean debug, PrintWriter err) {
        Throwable cause = unwrap(e);
        if (cause instanceof GraftException g) {
            err.println("error: " + g.getMessage());
            if (g.hint() != null) {
                err.println("  what to do: " + g.hint());
            }
            if (debug) {
                g.printStackTrace(err);
            }
            err.flush();
            return USER_ERROR;
        }
        if (cause instanceof UnexpectedFailure u) {
            err.println("error: " + u.getCause());
            err.println("  while working on: " + u.subject());
        } else {
            err.println("error: " + cause);
        }
        if (debug) {
            cause.printStackTrace(err);
        } else {
            err.println("  This looks like a bug in Graft; run again with --debug for the details and report them"
                    + (cause instanceof UnexpectedFailure ? ", with the file named above if you can share it." : "."));
        }
        err.flush();
        return BUG;
    }

    /** The exception inside the wrappers that only carry one across threads or reflection. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
