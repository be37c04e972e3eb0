package org.graft.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and byte arrays, as lower-case hex. */
public final class Checksums {
    private Checksums() {
    }

    public static String sha256(Path file) {
        return hash(file, "SHA-256");
    }

    /** The file's digest with the given algorithm ("SHA-256", "MD5"), as lower-case hex. */
    public static String hash(Path file, String algorithm) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest(algorithm))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // DigestInputStream hashes as it reads
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java has SHA-256 and MD5", e);
        }
    }
}
