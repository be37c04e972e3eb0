package org.graft.common;

/**
 * The machine stands in the way: a full disk, a port in use, a folder without write permission, another Graft
 * holding a lock.
 */
public class EnvironmentException extends GraftException {
    public EnvironmentException(String message, String hint) {
        super(message, hint, null);
    }

    public EnvironmentException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }

    @Override
    public String kind() {
        return "environment";
    }
}
