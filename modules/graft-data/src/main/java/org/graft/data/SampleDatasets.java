package org.graft.data;

import org.graft.common.Artifact;
import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.Fetcher;
import org.graft.common.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Sample data sets Graft can fetch for a first run. The hymenoptera (ants/bees) set of the PyTorch
 * transfer-learning tutorial is the demo's.
 *
 * <p>Its publisher gives no checksum, so after extraction Graft checks the number of images in each folder.
 * Lookup order: an extracted copy under the datasets folder, an extracted copy in the mirror
 * ({@code GRAFT_MIRROR/datasets/NAME}), then the archive (cache, mirror, official URL).
 */
public final class SampleDatasets {
    private static final Logger log = LoggerFactory.getLogger(SampleDatasets.class);

    /** A fetchable data set: its archive, the folder inside the archive, and the expected image counts. */
    public record Sample(String name, Artifact archive, String archiveRoot, Map<String, Integer> expectedImages) {
    }

    public static final Sample HYMENOPTERA = new Sample("hymenoptera",
            new Artifact("hymenoptera_data.zip", "https://download.pytorch.org/tutorial/hymenoptera_data.zip", null,
                    List.of("datasets/hymenoptera_data.zip")),
            "hymenoptera_data",
            Map.of("train/ants", 124, "train/bees", 121, "val/ants", 70, "val/bees", 83));

    private SampleDatasets() {
    }

    public static Sample get(String name) {
        if (HYMENOPTERA.name().equals(name)) {
            return HYMENOPTERA;
        }
        throw new BadOptionException("Unknown sample data set '" + name + "'.", "Known: " + HYMENOPTERA.name() + ".");
    }

    /** Returns the folder of the data set (holding train/ and val/), fetching and extracting it if needed. */
    public static Path fetch(Sample sample, Path datasetsDir, Fetcher fetcher) {
        Path local = datasetsDir.resolve(sample.name());
        if (isComplete(sample, local)) {
            return local;
        }
        if (fetcher.mirrorDir().isPresent()) {
            Path mirrored = fetcher.mirrorDir().get().resolve("datasets").resolve(sample.name());
            if (isComplete(sample, mirrored)) {
                log.info("Using the extracted {} data set in the mirror at {}", sample.name(), mirrored);
                return mirrored;
            }
        }
        Path zip = fetcher.fetch(sample.archive());
        Path tmp = datasetsDir.resolve("." + sample.name() + ".extracting");
        try {
            Files.createDirectories(datasetsDir);
            FileTrees.deleteIfExists(tmp);
            unzip(zip, tmp);
            Path extracted = tmp.resolve(sample.archiveRoot());
            if (!isComplete(sample, extracted)) {
                throw new DamagedFileException("The " + sample.name() + " archive " + zip
                        + " does not hold the expected images " + sample.expectedImages(),
                        "Delete it and fetch it again.");
            }
            FileTrees.deleteIfExists(local);
            Files.move(extracted, local, StandardCopyOption.ATOMIC_MOVE);
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("Extracting " + zip + " failed", e);
        } finally {
            try {
                FileTrees.deleteIfExists(tmp);
            } catch (IOException e) {
                log.warn("Could not remove {}: {}", tmp, e.getMessage());
            }
        }
    }

    static boolean isComplete(Sample sample, Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (Map.Entry<String, Integer> e : sample.expectedImages().entrySet()) {
            Path sub = dir.resolve(e.getKey());
            if (!Files.isDirectory(sub)) {
                return false;
            }
            try (Stream<Path> files = Files.list(sub)) {
                if (files.filter(ImageFormats::isImageName).count() != e.getValue()) {
                    return false;
                }
            } catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    /** Extracts a zip, refusing entries that would land outside the target folder ("zip slip"). */
    static void unzip(Path zip, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path out = root.resolve(e.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new DamagedFileException("The archive " + zip + " has an entry outside its folder: "
                            + e.getName(), "Do not use this archive.");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy((InputStream) in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
