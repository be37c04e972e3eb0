package org.graft.data;

import org.graft.common.Fetcher;
import org.graft.common.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo data set's fetch path, exercised on local archives laid out like the official one. */
class SampleDatasetsTest {
    @TempDir
    Path tmp;

    /** An archive with the official layout (hymenoptera_data/train/ants/...), counts as given. */
    private Path archive(Map<String, Integer> counts, String extraEntry) throws IOException {
        Path zip = tmp.resolve("mirror/datasets/hymenoptera_data.zip");
        Files.createDirectories(zip.getParent());
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (var e : counts.entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    out.putNextEntry(new ZipEntry("hymenoptera_data/" + e.getKey() + "/" + i + ".jpg"));
                    out.write(new byte[]{1});
                    out.closeEntry();
                }
            }
            if (extraEntry != null) {
                out.putNextEntry(new ZipEntry(extraEntry));
                out.closeEntry();
            }
        }
        return zip;
    }

    private Fetcher mirrorFetcher() {
        return Fetcher.builder().setCacheDir(tmp.resolve("cache")).optMirrorDir(tmp.resolve("mirror"))
                .optOffline(true).build();
    }

    @Test
    void archiveFromTheMirrorIsExtractedAndCounted() throws Exception {
        archive(SampleDatasets.HYMENOPTERA.expectedImages(), null);
        Path dir = SampleDatasets.fetch(SampleDatasets.HYMENOPTERA, tmp.resolve("datasets"), mirrorFetcher());
        assertEquals(tmp.resolve("datasets/hymenoptera"), dir);
        try (var files = Files.list(dir.resolve("val/bees"))) {
            assertEquals(83, files.count());
        }
        assertFalse(Files.exists(tmp.resolve("datasets/.hymenoptera.extracting")), "no leftovers");
        // a second fetch finds it in place
        assertEquals(dir, SampleDatasets.fetch(SampleDatasets.HYMENOPTERA, tmp.resolve("datasets"), mirrorFetcher()));
    }

    @Test
    void anIncompleteArchiveIsRefused() throws Exception {
        archive(Map.of("train/ants", 3, "train/bees", 3, "val/ants", 3, "val/bees", 3), null);
        GraftException e = assertThrows(GraftException.class,
                () -> SampleDatasets.fetch(SampleDatasets.HYMENOPTERA, tmp.resolve("datasets"), mirrorFetcher()));
        assertTrue(e.getMessage().contains("expected images"), e.getMessage());
    }

    @Test
    void anArchiveEntryOutsideItsFolderIsRefused() throws Exception {
        archive(Map.of("train/ants", 1), "../../escaped.txt");
        assertThrows(GraftException.class,
                () -> SampleDatasets.fetch(SampleDatasets.HYMENOPTERA, tmp.resolve("datasets"), mirrorFetcher()));
        assertFalse(Files.exists(tmp.resolve("escaped.txt")));
        assertFalse(Files.exists(tmp.resolve("datasets/.hymenoptera.extracting")), "no half-extracted folder");
    }

    @Test
    void anExtractedCopyInTheMirrorIsUsedInPlace() throws Exception {
        Path extracted = tmp.resolve("mirror/datasets/hymenoptera");
        for (var e : SampleDatasets.HYMENOPTERA.expectedImages().entrySet()) {
            Files.createDirectories(extracted.resolve(e.getKey()));
            for (int i = 0; i < e.getValue(); i++) {
                Files.write(extracted.resolve(e.getKey()).resolve(i + ".jpg"), new byte[]{1});
            }
        }
        assertEquals(extracted,
                SampleDatasets.fetch(SampleDatasets.HYMENOPTERA, tmp.resolve("datasets"), mirrorFetcher()));
    }
}
