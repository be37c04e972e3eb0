package org.graft.engine;

import org.graft.common.AtomicFiles;
import org.graft.common.Checksums;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * Backbone features on disk, one small file per image, keyed by the image's content and by everything that
 * determines its features (backbone weights, feature layer, preprocessing). A second run on the same images —
 * another learning rate, more epochs — skips the backbone entirely.
 *
 * <p>Each entry carries its length and a CRC32; an entry that fails either check (a crash mid-write, a damaged
 * disk) is ignored and recomputed, never trusted. Entries are written atomically.
 */
public final class FeatureCache {
    private static final Logger log = LoggerFactory.getLogger(FeatureCache.class);
    private static final int MAGIC = 0x47524631; // "GRF1"

    private final Path dir;
    private final int length;
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();

    /**
     * @param root   the cache folder (e.g. GRAFT_HOME/cache/features)
     * @param model  a description of everything that decides the features; hashed into the folder name
     * @param length the length of every feature vector
     */
    public FeatureCache(Path root, String model, int length) {
        this.dir = root.resolve(Checksums.sha256(model.getBytes(StandardCharsets.UTF_8)).substring(0, 24));
        this.length = length;
    }

    public Path dir() {
        return dir;
    }

    public int hits() {
        return hits.get();
    }

    /** Entries found damaged and recomputed. */
    public int rejected() {
        return rejected.get();
    }

    /** The key of an image: the SHA-256 of its bytes (renaming or moving a file keeps its features). */
    public static String keyOf(Path image) {
        return Checksums.sha256(image);
    }

    public Optional<float[]> get(String key) {
        Path file = dir.resolve(key + ".f32");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() != 8 + 4 * length + 8 || b.getInt() != MAGIC || b.getInt() != length) {
                return reject(file, "wrong size or header");
            }
            float[] f = new float[length];
            b.asFloatBuffer().get(f);
            CRC32 crc = new CRC32();
            crc.update(b.array(), 8, 4 * length);
            b.position(8 + 4 * length);
            if (b.getLong() != crc.getValue()) {
                return reject(file, "checksum mismatch");
            }
            hits.incrementAndGet();
            return Optional.of(f);
        } catch (IOException e) {
            return reject(file, e.getMessage());
        }
    }

    public void put(String key, float[] features) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * features.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(features.length);
        b.asFloatBuffer().put(features);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 8, 4 * features.length);
        b.position(8 + 4 * features.length);
        b.putLong(crc.getValue());
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(key + ".f32"), b.array());
        } catch (IOException | RuntimeException e) {
            // a cache is an optimisation: a full disk must not stop training
            log.warn("Could not write to the feature cache {}: {}", dir, e.getMessage());
        }
    }

    private Optional<float[]> reject(Path file, String why) {
        rejected.incrementAndGet();
        log.warn("Ignoring damaged feature cache entry {} ({}); recomputing it", file, why);
        return Optional.empty();
    }
}
