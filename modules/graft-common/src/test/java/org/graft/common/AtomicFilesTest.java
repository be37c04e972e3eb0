package org.graft.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteLeavesTheOldFileAndNoDebris() throws Exception {
        Path target = dir.resolve("metrics.json");
        AtomicFiles.write(target, "old".getBytes());
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("simulated crash mid-write");
        }));
        assertEquals("old", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        AtomicFiles.write(target, "new".getBytes());
        assertEquals("new", Files.readString(target));
    }

    @Test
    void diskFullIsReportedAsSuch() {
        GraftException e = assertThrows(GraftException.class, () -> AtomicFiles.write(dir.resolve("m.zip"), out -> {
            throw new IOException("No space left on device");
        }));
        assertEquals(true, e.getMessage().contains("disk is full"), e.getMessage());
    }
}
