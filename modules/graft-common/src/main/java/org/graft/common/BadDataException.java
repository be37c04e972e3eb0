package org.graft.common;

/**
 * The images, folders or lists a user gave cannot be used as they are: no images, an empty class, a class the model
 * does not know, a group list that does not parse.
 */
public class BadDataException extends GraftException {
    public BadDataException(String message, String hint) {
        super(message, hint, null);
    }

    public BadDataException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }

    @Override
    public String kind() {
        return "bad data";
    }
}
