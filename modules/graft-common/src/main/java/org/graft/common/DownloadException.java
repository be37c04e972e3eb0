package org.graft.common;

/** A file could not be fetched (no network, HTTP error, not in the mirror); the hint says where to put it. */
public class DownloadException extends GraftException {
    public DownloadException(String message, String hint) {
        super(message, hint, null);
    }

    @Override
    public String kind() {
        return "download";
    }
}
