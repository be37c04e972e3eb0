package org.graft.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NearDuplicatesTest {
    @TempDir
    Path dir;

    /** A picture-like image: a gradient in a seeded direction and a few seeded shapes, so seeds differ in layout. */
    static BufferedImage picture(long seed, int width, int height) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(r.nextInt(width), r.nextInt(height), randomColour(r),
                r.nextInt(width), r.nextInt(height), randomColour(r)));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < 6; i++) {
            g.setColor(randomColour(r));
            int x = r.nextInt(width);
            int y = r.nextInt(height);
            int w = width / 8 + r.nextInt(width / 3);
            int h = height / 8 + r.nextInt(height / 3);
            switch (r.nextInt(3)) {
                case 0 -> g.fillOval(x - w / 2, y - h / 2, w, h);
                case 1 -> g.fillRect(x - w / 2, y - h / 2, w, h);
                default -> {
                    g.setStroke(new BasicStroke(3 + r.nextInt(8)));
                    g.drawLine(r.nextInt(width), r.nextInt(height), r.nextInt(width), r.nextInt(height));
                }
            }
        }
        g.dispose();
        return img;
    }

    private static Color randomColour(Random r) {
        return new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
    }

    /** What a re-scan or a re-save does: smaller, brighter, JPEG-compressed. */
    static BufferedImage resizedBrighter(BufferedImage src, double scale, int brighten) {
        int w = (int) Math.round(src.getWidth() * scale);
        int h = (int) Math.round(src.getHeight() * scale);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Color c = new Color(out.getRGB(x, y));
                out.setRGB(x, y, new Color(Math.min(255, c.getRed() + brighten), Math.min(255, c.getGreen() + brighten),
                        Math.min(255, c.getBlue() + brighten)).getRGB());
            }
        }
        return out;
    }

    @Test
    void aResizedReencodedBrighterCopyIsCloseAndDifferentPicturesAreFar() throws Exception {
        List<Long> originals = new ArrayList<>();
        int worstCopy = 0;
        for (int seed = 0; seed < 12; seed++) {
            BufferedImage img = picture(seed, 320, 240);
            Path original = TestImages.write(img, dir.resolve("orig_" + seed + ".png"), "png");
            Path copy = TestImages.write(resizedBrighter(img, 0.6, 25), dir.resolve("copy_" + seed + ".jpg"), "jpg");
            long a = NearDuplicates.dHash(original);
            long b = NearDuplicates.dHash(copy);
            worstCopy = Math.max(worstCopy, NearDuplicates.distance(a, b));
            originals.add(a);
        }
        int closestOther = 64;
        for (int i = 0; i < originals.size(); i++) {
            for (int j = i + 1; j < originals.size(); j++) {
                closestOther = Math.min(closestOther, NearDuplicates.distance(originals.get(i), originals.get(j)));
            }
        }
        System.out.println("dHash: worst copy distance " + worstCopy + ", closest different pictures " + closestOther);
        assertTrue(worstCopy <= NearDuplicates.DEFAULT_MAX_DISTANCE, "copies within the threshold: " + worstCopy);
        assertTrue(closestOther > NearDuplicates.DEFAULT_MAX_DISTANCE, "different pictures beyond it: " + closestOther);
    }

    @Test
    void findPairsOnlyTheCopyAcrossTrainingAndValidation() throws Exception {
        List<ImageEntry> train = new ArrayList<>();
        for (int seed = 0; seed < 8; seed++) {
            train.add(new ImageEntry(TestImages.write(picture(seed, 300, 200), dir.resolve("train/" + seed + ".png"),
                    "png"), "a"));
        }
        // blank pages of different shades are all "alike" to a dHash; they must not be paired
        train.add(new ImageEntry(TestImages.solid(dir.resolve("train/blank.png"), 50, 40, Color.WHITE, "png"), "a"));
        Path copy = TestImages.write(resizedBrighter(picture(3, 300, 200), 0.5, 20), dir.resolve("val/copy3.jpg"),
                "jpg");
        Path broken = dir.resolve("val/broken.png");
        Files.createDirectories(broken.getParent());
        Files.write(broken, new byte[]{1, 2, 3, 4});
        List<ImageEntry> val = List.of(
                new ImageEntry(copy, "a"),
                new ImageEntry(TestImages.write(picture(100, 300, 200), dir.resolve("val/new.png"), "png"), "a"),
                new ImageEntry(TestImages.solid(dir.resolve("val/grey.png"), 60, 30, Color.GRAY, "png"), "a"),
                new ImageEntry(broken, "a"));

        List<NearDuplicates.Pair> pairs = NearDuplicates.find(train, val, NearDuplicates.DEFAULT_MAX_DISTANCE);
        assertEquals(1, pairs.size(), pairs.toString());
        assertEquals(copy, pairs.get(0).validation());
        assertEquals(dir.resolve("train/3.png"), pairs.get(0).training());

        Path csv = dir.resolve("near_duplicates.csv");
        NearDuplicates.writeCsv(pairs, csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("validation,training,distance", lines.get(0));
        assertEquals(copy + "," + dir.resolve("train/3.png") + "," + pairs.get(0).distance(), lines.get(1));
    }

    @Test
    void pairsAreSortedByDistanceThenPath() {
        BufferedImage img = picture(7, 320, 240);
        List<ImageEntry> train = List.of(
                new ImageEntry(TestImages.write(picture(8, 320, 240), dir.resolve("t/other.png"), "png"), "x"),
                new ImageEntry(TestImages.write(img, dir.resolve("t/a.png"), "png"), "x"));
        List<ImageEntry> val = List.of(
                new ImageEntry(TestImages.write(resizedBrighter(img, 0.5, 30), dir.resolve("v/b.jpg"), "jpg"), "x"),
                new ImageEntry(TestImages.write(img, dir.resolve("v/c.png"), "png"), "x"),
                new ImageEntry(TestImages.write(img, dir.resolve("v/a.png"), "png"), "x"));
        // even with any distance allowed, the other picture differs in too many of the informative bits
        List<NearDuplicates.Pair> pairs = NearDuplicates.find(train, val, 64);
        assertEquals(3, pairs.size(), pairs.toString());
        assertTrue(pairs.stream().allMatch(p -> p.training().equals(dir.resolve("t/a.png"))), pairs.toString());
        List<NearDuplicates.Pair> sorted = new ArrayList<>(pairs);
        sorted.sort(java.util.Comparator.comparingInt(NearDuplicates.Pair::distance)
                .thenComparing(NearDuplicates.Pair::validation).thenComparing(NearDuplicates.Pair::training));
        assertEquals(sorted, pairs);
        assertEquals(new NearDuplicates.Pair(dir.resolve("v/a.png"), dir.resolve("t/a.png"), 0), pairs.get(0));
    }

    /** Thin strokes on white (handwritten characters) set few hash bits: different drawings must not pair. */
    @Test
    void sparseLineDrawingsDoNotPairByChance() {
        List<ImageEntry> train = new ArrayList<>();
        List<ImageEntry> val = new ArrayList<>();
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 40; i++) {
            BufferedImage img = new BufferedImage(105, 105, BufferedImage.TYPE_3BYTE_BGR);
            java.awt.Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 105, 105);
            g.setColor(Color.BLACK);
            g.setStroke(new java.awt.BasicStroke(2));
            for (int s = 0; s < 3; s++) {
                g.drawLine(20 + r.nextInt(65), 20 + r.nextInt(65), 20 + r.nextInt(65), 20 + r.nextInt(65));
            }
            g.dispose();
            Path file = TestImages.write(img, dir.resolve("strokes/" + i + ".png"), "png");
            (i % 4 == 0 ? val : train).add(new ImageEntry(file, "x"));
        }
        assertEquals(List.of(), NearDuplicates.find(train, val, NearDuplicates.DEFAULT_MAX_DISTANCE));
    }

    @Test
    void largeJpegsDecodedReducedAndGifsThroughImageIoHashLikeThePng() throws Exception {
        BufferedImage img = picture(21, 1600, 1200); // shorter side 1200: decoded at 1/8
        long png = NearDuplicates.dHash(TestImages.write(img, dir.resolve("big.png"), "png"));
        long jpg = assertDoesNotThrowHash(TestImages.write(img, dir.resolve("big.jpg"), "jpg"));
        BufferedImage small = picture(22, 120, 90);
        long smallPng = assertDoesNotThrowHash(TestImages.write(small, dir.resolve("small.png"), "png"));
        long gif = assertDoesNotThrowHash(TestImages.write(small, dir.resolve("small.gif"), "gif"));
        assertTrue(NearDuplicates.distance(png, jpg) <= NearDuplicates.DEFAULT_MAX_DISTANCE);
        assertTrue(NearDuplicates.distance(smallPng, gif) <= NearDuplicates.DEFAULT_MAX_DISTANCE);
    }

    private static long assertDoesNotThrowHash(Path p) {
        try {
            return NearDuplicates.dHash(p);
        } catch (UnreadableImageException e) {
            throw new AssertionError(p + ": " + e.getMessage(), e);
        }
    }

    @Test
    void anUnreadableImageThrowsUnreadableImageException() throws Exception {
        Path broken = dir.resolve("broken.jpg");
        Files.write(broken, new byte[]{(byte) 0xFF, (byte) 0xD8, 0, 0, 0});
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> NearDuplicates.dHash(broken));
        assertEquals(broken, e.path());
        Path empty = Files.createFile(dir.resolve("empty.png"));
        assertThrows(UnreadableImageException.class, () -> NearDuplicates.dHash(empty));
    }
}
