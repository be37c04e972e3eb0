package org.graft.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.graft.common.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
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
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
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
        return hash(file).bits;
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
        new ArrayList<>(files).parallelStream().forEach(p -> {
            try {
                Hash h = hash(p);
                if (!h.featureless) {
                    hashes.put(p, h);
                }
            } catch (UnreadableImageException | RuntimeException e) {
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

    private static Hash hash(Path file) throws UnreadableImageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError e) {
            throw new UnreadableImageException(file, "cannot read the file: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new UnreadableImageException(file, "the file is empty");
        }
        ImageHeader header = ImageHeader.read(bytes).orElse(null);
        int reduction = jpegReduction(header);
        if (header != null
                && (long) header.width() * header.height() / ((long) reduction * reduction) > ImageLoader.MAX_PIXELS) {
            throw new UnreadableImageException(file, "the image is too large (" + header.width() + "x"
                    + header.height() + " pixels)");
        }
        float[] px = new float[9 * 8];
        // averaged in floats: rounding to whole grey levels would turn gentle slopes into ties
        try (Mat grey = decodeGrey(file, bytes, header, reduction); Mat grey32 = new Mat(); Mat small = new Mat();
             Size size = new Size(9, 8)) {
            grey.convertTo(grey32, CV_32F);
            resize(grey32, small, size, 0, 0, INTER_AREA);
            new FloatPointer(small.data()).get(px); // 9x8 floats, continuous
        }
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

    private static int jpegReduction(ImageHeader header) {
        if (header == null || !"jpeg".equals(header.format())) {
            return 1;
        }
        int shorter = Math.min(header.width(), header.height());
        for (int r : new int[]{8, 4, 2}) {
            if (shorter / r >= MIN_DECODED_SIDE) {
                return r;
            }
        }
        return 1;
    }

    private static Mat decodeGrey(Path file, byte[] bytes, ImageHeader header, int reduction)
            throws UnreadableImageException {
        int flags = switch (reduction) {
            case 8 -> IMREAD_REDUCED_GRAYSCALE_8;
            case 4 -> IMREAD_REDUCED_GRAYSCALE_4;
            case 2 -> IMREAD_REDUCED_GRAYSCALE_2;
            default -> IMREAD_GRAYSCALE;
        };
        try (Mat buffer = new Mat(1, bytes.length, CV_8UC1)) {
            buffer.data().put(bytes);
            Mat mat = imdecode(buffer, flags);
            if (mat != null && !mat.empty() && mat.channels() == 1 && mat.depth() == 0) {
                return mat;
            }
            if (mat != null) {
                mat.close();
            }
        }
        if (header != null && (long) header.width() * header.height() > ImageLoader.MAX_PIXELS) {
            throw new UnreadableImageException(file, "not a readable image (a " + header.width() + "x"
                    + header.height() + " " + header.format() + " that OpenCV cannot decode)");
        }
        // what OpenCV cannot read (GIF), as ImageLoader does
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException(file, "not a readable image (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new UnreadableImageException(file, "not a readable image (damaged, or a format Graft does not read)");
        }
        BufferedImage grey = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.drawImage(img, 0, 0, null);
        g.dispose();
        byte[] pixels = ((DataBufferByte) grey.getRaster().getDataBuffer()).getData();
        Mat mat = new Mat(img.getHeight(), img.getWidth(), CV_8UC1);
        mat.data().put(pixels);
        return mat;
    }
}
