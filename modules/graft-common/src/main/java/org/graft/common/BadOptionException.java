package org.graft.common;

/** An option or argument is wrong or missing, or two options contradict each other; the message names the option. */
public class BadOptionException extends GraftException {
    public BadOptionException(String message, String hint) {
        super(message, hint, null);
    }

    public BadOptionException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }

    @Override
    public String kind() {
        return "bad option";
    }
}
