package org.graft.common;

/**
 * A file that cannot be read as what it claims to be: truncated, corrupted, or written by something else (a model, a
 * bundle, a run folder's JSON or CSV).
 */
public class DamagedFileException extends GraftException {
    public DamagedFileException(String message, String hint) {
        super(message, hint, null);
    }

    public DamagedFileException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }

    @Override
    public String kind() {
        return "damaged file";
    }
}
