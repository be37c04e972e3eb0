package org.graft.common;

/**
 * A model file that is intact but that Graft cannot use: an operator it cannot convert, a nested Keras model, a
 * layout it does not handle.
 */
public class UnsupportedModelException extends GraftException {
    public UnsupportedModelException(String message, String hint) {
        super(message, hint, null);
    }

    public UnsupportedModelException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }

    @Override
    public String kind() {
        return "unsupported model";
    }
}
