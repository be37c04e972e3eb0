package org.graft.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.graft.common.AtomicFiles;
import org.graft.common.DamagedFileException;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Finds validation images that have a near-copy in training (a re-scan, a re-saved or resized copy, the same
 * cut-out saved twice), which makes validation accuracy look better than it is.
 *
 * <p>Uses a difference hash (dHash): the image in grey, shrunk to 9x8, one bit per pair of neighbouring pixels
 * (is the right one brighter, by more than {@link #FLAT}?). Resizing, re-encoding and brightening keep the bits; a different picture flips
 * about half of them. It does not see that two different cut-outs come from one page: that is what a
 * {@link Grouping} is for.
 */
public final class NearDuplicates {
    /**
     * Bits (of 64) two hashes may differ in and still count as near-copies. On synthetic test pictures a resized,
     * JPEG re-encoded and brightened copy differed in 0-5 bits (a few, brightened until highlights clip, in more);
     * different pictures in 20 or more, rarely under 10.
     */
    public static final int DEFAULT_MAX_DISTANCE = 6;

    /**
     * A thumbnail whose grey levels span less than this is featureless (a blank page, a solid colour): its bits
     * are noise, and every blank page would "match" every other, so such images are not paired.
     */
    static final int MIN_CONTRAST = 4;

    /**
     * A step up of at most this many grey levels counts as flat (bit 0). Plain dHash compares with 0, so an even
     * area (parchment, sky, a filled shape) gives ties that JPEG noise in a copy breaks at random, flipping many
     * bits; a copy's noise, averaged over a thumbnail cell, stays well below one level.
     */
    static final float FLAT = 1.0f;

    /**
     * Two hashes are compared only where they carry information: the bits set in either (a step up in brightness)
     * must number at least this many, and the differing bits at most a quarter of them. Sparse line drawings on
     * white (Omniglot's characters, a mostly blank page) set only a few bits, so any two of them agree on almost
     * all 64 positions by chance: without this, 419 of Omniglot's 540 validation drawings "matched" a different
     * character. The price: low-texture copies (under 16 informative bits) go unnoticed.
     */
    static final int MIN_INFORMATIVE_BITS = 16;

    /** Decoding at 1/2..1/8 is free for a JPEG; keep at least this many pixels on the shorter side to average. */
    private static final int MIN_DECODED_SIDE = 64;

    private NearDuplicates() {
    }

    /** A validation image, its near-copy in training, and how many hash bits differ (0: looks the same). */
    public record Pair(Path validation, Path training, int distance) {
    }

    /** The image's 64-bit difference hash. */
    public static long dHash(Path file) throws UnreadableImageException {
        return hash(new ImageGate(), file).bits;
    }

    /** Number of differing bits. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /**
     * Every (validation, training) pair whose hashes differ in at most {@code maxDistance} bits, closest first
     * (then by path). Images are hashed in parallel; unreadable ones are skipped silently (they are reported where
     * they are loaded), and featureless ones (blank, solid) are not paired.
     */
    public static List<Pair> find(List<ImageEntry> train, List<ImageEntry> validation, int maxDistance) {
        LinkedHashSet<Path> files = new LinkedHashSet<>();
        train.forEach(e -> files.add(e.path()));
        validation.forEach(e -> files.add(e.path()));
        Map<Path, Hash> hashes = new ConcurrentHashMap<>();
        ImageGate gate = new ImageGate();
        new ArrayList<>(files).parallelStream().forEach(p -> {
            try {
                Hash h = hash(gate, p);
                if (!h.featureless) {
                    hashes.put(p, h);
                }
            } catch (UnreadableImageException e) {
                // reported where images are loaded for training
            }
        });
        List<Path> trainPaths = train.stream().map(ImageEntry::path).filter(hashes::containsKey).distinct().toList();
        long[] trainBits = trainPaths.stream().mapToLong(p -> hashes.get(p).bits).toArray();
        List<Pair> pairs = validation.stream().map(ImageEntry::path).filter(hashes::containsKey).distinct()
                .parallel().flatMap(v -> {
                    long bits = hashes.get(v).bits;
                    List<Pair> found = new ArrayList<>();
                    for (int i = 0; i < trainBits.length; i++) {
                        int d = distance(bits, trainBits[i]);
                        int informative = Long.bitCount(bits | trainBits[i]);
                        if (d <= maxDistance && informative >= MIN_INFORMATIVE_BITS && 4 * d <= informative
                                && !trainPaths.get(i).equals(v)) {
                            found.add(new Pair(v, trainPaths.get(i), d));
                        }
                    }
                    return found.stream();
                }).toList();
        List<Pair> sorted = new ArrayList<>(pairs);
        sorted.sort(Comparator.comparingInt(Pair::distance).thenComparing(Pair::validation)
                .thenComparing(Pair::training));
        return sorted;
    }

    /** Reads what {@link #writeCsv} wrote. */
    public static List<Pair> readCsv(Path file) {
        List<Pair> out = new ArrayList<>();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             var csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (var row : csv) {
                out.add(new Pair(Path.of(row.get("validation")), Path.of(row.get("training")),
                        Integer.parseInt(row.get("distance"))));
            }
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            throw new DamagedFileException("Could not read " + file + ": " + e.getMessage(),
                    "It should be the near-duplicates.csv that 'graft train' wrote; train again to rewrite it.", e);
        }
        return out;
    }

    /** Writes the pairs as CSV (columns validation, training, distance), atomically. */
    public static void writeCsv(List<Pair> pairs, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (CSVPrinter csv = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader("validation", "training", "distance").build())) {
                for (Pair p : pairs) {
                    csv.printRecord(p.validation(), p.training(), p.distance());
                }
            }
        });
    }

    private record Hash(long bits, boolean featureless) {
    }

    private static Hash hash(ImageGate gate, Path file) throws UnreadableImageException {
        float[] px = new float[9 * 8];
        // averaged in floats: rounding to whole grey levels would turn gentle slopes into ties
        gate.guarded(file, () -> {
            try (Mat grey = gate.decode(file, new ImageGate.Request(MIN_DECODED_SIDE, true));
                 Mat grey32 = new Mat(); Mat small = new Mat(); Size size = new Size(9, 8)) {
                grey.convertTo(grey32, CV_32F);
                resize(grey32, small, size, 0, 0, INTER_AREA);
                new FloatPointer(small.data()).get(px); // 9x8 floats, continuous
            }
            return null;
        });
        long bits = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                bits = (bits << 1) | (px[9 * y + x + 1] - px[9 * y + x] > FLAT ? 1 : 0);
            }
            for (int x = 0; x < 9; x++) {
                min = Math.min(min, px[9 * y + x]);
                max = Math.max(max, px[9 * y + x]);
            }
        }
        return new Hash(bits, max - min < MIN_CONTRAST);
    }
}
