package org.graft.common;

import java.io.PrintWriter;

/** How a Graft command line reports a failure: a user's mistake as one message and a hint, anything else as a bug. */
public final class CliErrors {
    private CliErrors() {
    }

    /**
     * Prints the error and returns the exit code: 2 for a {@link GraftException} anywhere in the cause chain (a
     * problem the user can fix), 1 otherwise. Stack traces only with {@code debug}.
     */
    public static int report(Exception e, boolean debug, PrintWriter err) {
        Throwable cause = e;
        while (!(cause instanceof GraftException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof GraftException g) {
            err.println("error: " + g.getMessage());
            if (g.hint() != null) {
                err.println("  what to do: " + g.hint());
            }
            if (debug) {
                g.printStackTrace(err);
            }
            err.flush();
            return 2;
        }
        err.println("error: " + e);
        if (debug) {
            e.printStackTrace(err);
        } else {
            err.println("  This looks like a bug in Graft; run again with --debug for the details and report them.");
        }
        err.flush();
        return 1;
    }
}
