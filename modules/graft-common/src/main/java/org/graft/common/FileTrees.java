package org.graft.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Removing a file or a folder with all it holds, without ever following a link out of it. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code p} and, if it is a folder, everything under it; a link is removed, never followed. */
    public static void deleteIfExists(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> inside = Files.list(p)) {
                for (Path q : inside.toList()) {
                    deleteIfExists(q);
                }
            }
        }
        Files.delete(p);
    }
}
