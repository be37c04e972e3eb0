package org.graft.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.graft.common.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentationTest {
    @TempDir
    Path tmp;

    /** Pixel values 0..255 as they are, RGB planes: easy to reason about. */
    static final Preprocessing RAW = new Preprocessing(40, 32, 32, Preprocessing.ChannelOrder.RGB, 1.0,
            new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NCHW,
            Preprocessing.Interpolation.BILINEAR);

    // ---- parsing ----

    @Test
    void presetsParse() {
        assertEquals(Augmentation.STANDARD, Augmentation.parse("standard"));
        assertEquals(Augmentation.STANDARD, Augmentation.parse(null), "a bare --augment");
        assertEquals(Augmentation.STANDARD, Augmentation.parse("  "));
        assertEquals(Augmentation.PHOTO, Augmentation.parse("Photo"));
        assertEquals(Augmentation.NONE, Augmentation.parse("none"));
        assertFalse(Augmentation.NONE.isEnabled());
        assertTrue(Augmentation.STANDARD.isEnabled());

        Augmentation s = Augmentation.STANDARD;
        assertEquals(0, s.flip(), "standard never flips: it would mirror text");
        assertEquals(10, s.rotateDegrees());
        assertEquals(0.6, s.cropMinArea());
        assertEquals(0.2, s.colorJitter());
        assertEquals(0.05, s.skew());
        assertEquals(1.2, s.blurSigma());
        assertEquals(30, s.jpegMinQuality());
        Augmentation p = Augmentation.PHOTO;
        assertEquals(0.5, p.flip());
        assertEquals(s, new Augmentation(0, p.rotateDegrees(), p.cropMinArea(), p.colorJitter(), p.skew(),
                p.blurSigma(), p.jpegMinQuality()), "photo is standard plus flips");
    }

    @Test
    void listsParseWithDefaultsAndValues() {
        Augmentation a = Augmentation.parse("flip, rotate=15,blur ,JPEG=50");
        assertEquals(new Augmentation(0.5, 15, 0, 0, 0, 1.2, 50), a);
        assertEquals(new Augmentation(0, 0, 0.8, 0.3, 0.02, 0, 0), Augmentation.parse("crop=0.8,colour=0.3,skew=0.02"));
        assertEquals(new Augmentation(0, 0, 0.6, 0, 0, 0, 0), Augmentation.parse("crop"));
    }

    @Test
    void specRoundTrips() {
        for (Augmentation a : List.of(Augmentation.NONE, Augmentation.STANDARD, Augmentation.PHOTO,
                Augmentation.parse("flip,rotate=15,blur,jpeg=50"), Augmentation.parse("crop=0.85,color=0.1"),
                new Augmentation(0.25, 7.5, 0.6, 0.2, 0.05, 1.2, 30), new Augmentation(0, 0, 0, 0, 0.125, 0, 0))) {
            assertEquals(a, Augmentation.parse(a.spec()), a.spec());
        }
        assertEquals("standard", Augmentation.STANDARD.spec());
        assertEquals("flip,rotate=15,blur,jpeg=50", Augmentation.parse("jpeg=50,blur,rotate=15,flip").spec());
    }

    @Test
    void describeSaysWhatIsOn() {
        String d = Augmentation.STANDARD.describe();
        assertTrue(d.startsWith("random resized crop (area 0.60-1.00"), d);
        assertTrue(d.contains("rotation ±10°"), d);
        assertTrue(d.contains("skew up to 5%"), d);
        assertTrue(d.contains("jitter ±0.2"), d);
        assertTrue(d.contains("sigma up to 1.2, p=0.3"), d);
        assertTrue(d.contains("quality 30-90, p=0.3"), d);
        assertFalse(d.contains("flip"), d);
        assertFalse(d.contains("\n"));
        assertTrue(Augmentation.PHOTO.describe().contains("horizontal flip (p=0.5)"));
        assertEquals("none", Augmentation.NONE.describe());
    }

    @Test
    void unknownNamesAndBadValuesAreUserErrors() {
        GraftException e = assertThrows(GraftException.class, () -> Augmentation.parse("rotate,wobble"));
        assertTrue(e.getMessage().contains("'wobble'"), e.getMessage());
        assertNotNull(e.hint());
        for (String name : Augmentation.NAMES) {
            assertTrue(e.hint().contains(name), e.hint());
        }
        assertTrue(e.hint().contains("standard") && e.hint().contains("photo"), e.hint());

        for (String bad : List.of("rotate=abc", "crop=1.5", "crop=0", "blur=-1", "jpeg=30.5", "color=1", "flip=2",
                "rotate,rotate=5", "rotate,,blur", "skew=NaN")) {
            GraftException ex = assertThrows(GraftException.class, () -> Augmentation.parse(bad), bad);
            assertNotNull(ex.hint(), bad);
        }
    }

    // ---- loading ----

    @Test
    void sameSeedSameTensorDifferentSeedDifferentTensor() throws Exception {
        Path img = texture(tmp.resolve("t.png"), 64, 48);
        ImageLoader loader = new ImageLoader(RAW, Augmentation.PHOTO);
        float[] a = load(loader, img, new Random(7));
        float[] b = load(loader, img, new Random(7));
        assertArrayEquals(a, b, "same seed, same image");
        int different = 0;
        for (int seed = 8; seed < 13; seed++) {
            if (!Arrays.equals(a, load(loader, img, new Random(seed)))) {
                different++;
            }
        }
        assertEquals(5, different, "another seed, another image");
        assertFalse(Arrays.equals(a, new ImageLoader(RAW).load(img)), "augmented differs from the plain load");
    }

    @Test
    void noAugmentationOrNoRandomIsExactlyThePlainLoad() throws Exception {
        Path img = texture(tmp.resolve("t.jpg"), 70, 50);
        float[] plain = new ImageLoader(RAW).load(img);
        assertArrayEquals(plain, load(new ImageLoader(RAW, Augmentation.STANDARD), img, null), "random null");
        assertArrayEquals(plain, load(new ImageLoader(RAW, Augmentation.NONE), img, new Random(1)), "NONE");
        assertArrayEquals(plain, new ImageLoader(RAW, Augmentation.PHOTO).load(img), "the old method");

        ImageLoader.Batch batch = new ImageLoader(RAW, Augmentation.STANDARD).loadBatch(List.of(img, img));
        ImageLoader.Batch plainBatch = new ImageLoader(RAW).loadBatch(List.of(img, img));
        assertEquals(plainBatch.features(), batch.features());
        assertEquals(plainBatch.features(), new ImageLoader(RAW, Augmentation.STANDARD)
                .loadBatch(List.of(img, img), null).features());
    }

    @Test
    void outputIsAlwaysTheCropSize() throws Exception {
        // non-square crop, and images far wider, far taller, smaller than the crop, and in stretch mode
        Preprocessing wide = new Preprocessing(30, 20, 30, Preprocessing.ChannelOrder.BGR, 1 / 255.0,
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NHWC,
                Preprocessing.Interpolation.BICUBIC);
        Preprocessing stretch = new Preprocessing(0, 24, 16, Preprocessing.ChannelOrder.RGB, 1.0,
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NCHW,
                Preprocessing.Interpolation.AREA);
        List<Path> images = List.of(texture(tmp.resolve("strip.png"), 300, 20),
                texture(tmp.resolve("tall.png"), 15, 200), texture(tmp.resolve("tiny.png"), 5, 7),
                texture(tmp.resolve("big.jpg"), 400, 300));
        Augmentation extreme = Augmentation.parse("flip=1,rotate=180,crop=0.01,color=0.9,skew=0.25,blur=10,jpeg=1");
        for (Preprocessing pre : List.of(RAW, wide, stretch)) {
            for (Augmentation aug : List.of(Augmentation.STANDARD, Augmentation.PHOTO, extreme)) {
                ImageLoader loader = new ImageLoader(pre, aug);
                for (Path img : images) {
                    for (int seed = 0; seed < 5; seed++) {
                        try (Mat m = loader.loadCrop(img, new Random(seed))) {
                            assertEquals(pre.cropWidth(), m.cols());
                            assertEquals(pre.cropHeight(), m.rows());
                            assertEquals(3, m.channels());
                        }
                        // the tensor fills its slot exactly: nothing left unset, nothing written past it
                        float[] out = new float[loader.tensorLength() + 10];
                        Arrays.fill(out, Float.NaN);
                        loader.load(img, out, 5, new Random(seed));
                        for (int i = 0; i < out.length; i++) {
                            boolean inside = i >= 5 && i < 5 + loader.tensorLength();
                            assertEquals(inside, !Float.isNaN(out[i]), img + " at " + i);
                        }
                    }
                }
                ImageLoader.Batch b = loader.loadBatch(images, Stream.generate(() -> new Random(3))
                        .limit(images.size()).toList());
                assertArrayEquals(pre.shape(images.size()), b.features().shape());
            }
        }
    }

    @Test
    void standardNeverFlipsPhotoSometimesDoes() throws Exception {
        // dark left half, bright right half: unless mirrored, the left half of the crop stays the darker one
        BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 80; x++) {
                img.setRGB(x, y, (x < 40 ? new Color(20, 20, 20) : new Color(235, 235, 235)).getRGB());
            }
        }
        Path file = TestImages.write(img, tmp.resolve("half.png"), "png");
        ImageLoader standard = new ImageLoader(RAW, Augmentation.STANDARD);
        ImageLoader photo = new ImageLoader(RAW, Augmentation.PHOTO);
        int flipped = 0;
        int seeds = 60;
        for (int seed = 0; seed < seeds; seed++) {
            float[] s = load(standard, file, new Random(seed));
            assertTrue(leftMean(s) < rightMean(s), "standard, seed " + seed + ": left " + leftMean(s)
                    + ", right " + rightMean(s));
            float[] p = load(photo, file, new Random(seed));
            if (leftMean(p) > rightMean(p)) {
                flipped++;
            }
        }
        assertTrue(flipped > seeds / 5 && flipped < seeds * 4 / 5, "photo flips about half: " + flipped);
    }

    @Test
    void rotationReplicatesTheBorderInsteadOfBlackCorners() throws Exception {
        Path white = TestImages.solid(tmp.resolve("white.png"), 50, 50, Color.WHITE, "png");
        ImageLoader loader = new ImageLoader(RAW, Augmentation.parse("rotate=45,skew=0.25"));
        for (int seed = 0; seed < 10; seed++) {
            float[] t = load(loader, white, new Random(seed));
            for (float v : t) {
                assertEquals(255, v, 1, "seed " + seed + ": no black fill");
            }
        }
    }

    // ---- batches ----

    @Test
    void iteratorAugmentsReproduciblyAndDifferentlyEachEpoch() throws Exception {
        List<ImageEntry> entries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            entries.add(new ImageEntry(texture(tmp.resolve("a/" + i + ".png"), 48 + i, 40), i % 2 == 0 ? "a" : "b"));
        }
        ImageBatchIterator.Builder b = ImageBatchIterator.builder().setImages(entries).setLabels(List.of("a", "b"))
                .setLoader(new ImageLoader(RAW, Augmentation.STANDARD)).optBatchSize(4).optAugmentation(11);
        List<DataSet> one = epoch(b.build());
        ImageBatchIterator twoIt = b.build();
        List<DataSet> two = epoch(twoIt);
        assertEquals(one.size(), two.size());
        for (int i = 0; i < one.size(); i++) {
            assertEquals(one.get(i).getFeatures(), two.get(i).getFeatures(), "same seed, same batch " + i);
        }
        twoIt.reset();
        List<DataSet> next = epoch(twoIt);
        for (int i = 0; i < one.size(); i++) {
            assertFalse(one.get(i).getFeatures().equals(next.get(i).getFeatures()), "a new epoch, new images " + i);
            assertEquals(one.get(i).getLabels(), next.get(i).getLabels(), "same order without shuffle");
        }

        // the augmentation of an image does not depend on the batch it lands in
        List<DataSet> single = epoch(ImageBatchIterator.builder().setImages(entries).setLabels(List.of("a", "b"))
                .setLoader(new ImageLoader(RAW, Augmentation.STANDARD)).optBatchSize(1).optAugmentation(11).build());
        assertEquals(one.get(0).getFeatures().slice(1), single.get(1).getFeatures().slice(0));

        // without the option nothing is augmented, whatever the loader
        List<DataSet> plain = epoch(ImageBatchIterator.builder().setImages(entries).setLabels(List.of("a", "b"))
                .setLoader(new ImageLoader(RAW, Augmentation.STANDARD)).optBatchSize(4).build());
        List<DataSet> none = epoch(ImageBatchIterator.builder().setImages(entries).setLabels(List.of("a", "b"))
                .setLoader(new ImageLoader(RAW)).optBatchSize(4).build());
        assertEquals(none.get(0).getFeatures(), plain.get(0).getFeatures());
    }

    // ---- samples ----

    @Test
    void samplesAreReadablePngsOfTheCropSize() throws Exception {
        Path a = texture(tmp.resolve("in/a.png"), 60, 50);
        Path broken = Files.write(tmp.resolve("in/broken.jpg"), new byte[]{1, 2, 3});
        Path c = texture(tmp.resolve("in/c.jpg"), 45, 90);
        Path out = tmp.resolve("samples");
        List<Path> files = AugmentationSamples.write(List.of(a, broken, c), Augmentation.STANDARD, RAW, out, 3, 5);
        assertEquals(8, files.size(), "two readable images, the original and three variants each");
        assertEquals(out.resolve("sample-1-0.png"), files.get(0));
        assertEquals(out.resolve("sample-2-3.png"), files.get(7));
        try (Stream<Path> listed = Files.list(out)) {
            assertEquals(8, listed.count(), "no temporary files left");
        }
        for (Path f : files) {
            BufferedImage png = ImageIO.read(f.toFile());
            assertNotNull(png, f.toString());
            assertEquals(RAW.cropWidth(), png.getWidth());
            assertEquals(RAW.cropHeight(), png.getHeight());
        }
        // the first of each is what validation sees: the plain centre crop, as 8-bit pixels
        float[] plain = new ImageLoader(RAW).load(a);
        BufferedImage first = ImageIO.read(files.get(0).toFile());
        int rgb = first.getRGB(3, 5);
        assertEquals(plain[5 * 32 + 3], (rgb >> 16) & 0xFF, 0.0);
        assertEquals(plain[32 * 32 + 5 * 32 + 3], (rgb >> 8) & 0xFF, 0.0);
        assertEquals(plain[2 * 32 * 32 + 5 * 32 + 3], rgb & 0xFF, 0.0);

        List<Path> again = AugmentationSamples.write(List.of(a, broken, c), Augmentation.STANDARD, RAW,
                tmp.resolve("again"), 3, 5);
        assertEquals(files.size(), again.size());
        for (int i = 0; i < again.size(); i++) {
            assertArrayEquals(Files.readAllBytes(files.get(i)), Files.readAllBytes(again.get(i)), "seeded");
        }
    }

    // ---- helpers ----

    /** A picture with structure everywhere (gradients and stripes), so any transform changes its pixels. */
    private static Path texture(Path file, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 255 * x / Math.max(1, w - 1);
                int g = 255 * y / Math.max(1, h - 1);
                int bl = ((x / 4 + y / 3) % 2) * 200 + 20;
                img.setRGB(x, y, new Color(r, g, bl).getRGB());
            }
        }
        return TestImages.write(img, file, file.toString().endsWith(".jpg") ? "jpg" : "png");
    }

    private static float[] load(ImageLoader loader, Path file, Random random) throws UnreadableImageException {
        float[] out = new float[loader.tensorLength()];
        loader.load(file, out, 0, random);
        return out;
    }

    /** Mean over all three channels of the left half of a 32x32 NCHW image. */
    private static double leftMean(float[] t) {
        return halfMean(t, true);
    }

    private static double rightMean(float[] t) {
        return halfMean(t, false);
    }

    private static double halfMean(float[] t, boolean left) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = left ? 0 : 16; x < (left ? 16 : 32); x++) {
                    sum += t[c * 1024 + y * 32 + x];
                    n++;
                }
            }
        }
        return sum / n;
    }

    private static List<DataSet> epoch(ImageBatchIterator it) {
        List<DataSet> all = new ArrayList<>();
        while (it.hasNext()) {
            all.add(it.next());
        }
        return all;
    }
}
