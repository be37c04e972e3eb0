package org.graft.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageLoaderTest {
    @TempDir
    Path tmp;

    static final Preprocessing MINUS_ONE_TO_ONE = Preprocessing.kerasTf(4, Preprocessing.Layout.NCHW);

    @Test
    void scalesAndOrdersChannelsAsTheBackboneWants() throws Exception {
        Path png = TestImages.solid(tmp.resolve("c.png"), 4, 4, new Color(200, 100, 50), "png");
        float[] nchw = new ImageLoader(MINUS_ONE_TO_ONE).load(png);
        assertEquals(200 / 127.5 - 1, nchw[0], 1e-6, "R plane first");
        assertEquals(100 / 127.5 - 1, nchw[16], 1e-6, "then G");
        assertEquals(50 / 127.5 - 1, nchw[32], 1e-6, "then B");

        Preprocessing bgrNhwc = new Preprocessing(4, 4, 4, Preprocessing.ChannelOrder.BGR, 1.0,
                new double[]{10, 20, 30}, new double[]{2, 2, 2}, Preprocessing.Layout.NHWC,
                Preprocessing.Interpolation.BILINEAR);
        float[] nhwc = new ImageLoader(bgrNhwc).load(png);
        assertEquals((50 - 10) / 2.0, nhwc[0], 1e-6, "B first, interleaved");
        assertEquals((100 - 20) / 2.0, nhwc[1], 1e-6);
        assertEquals((200 - 30) / 2.0, nhwc[2], 1e-6);
        assertEquals((50 - 10) / 2.0, nhwc[3], 1e-6, "next pixel");
    }

    @Test
    void resizesTheShorterSideAndCropsTheCentre() {
        // three vertical stripes; the centre crop of the resized image sees only the middle (green) one
        BufferedImage img = new BufferedImage(300, 100, BufferedImage.TYPE_3BYTE_BGR);
        for (int x = 0; x < 300; x++) {
            for (int y = 0; y < 100; y++) {
                img.setRGB(x, y, (x < 100 ? Color.RED : x < 200 ? Color.GREEN : Color.BLUE).getRGB());
            }
        }
        Path png = TestImages.write(img, tmp.resolve("stripes.png"), "png");
        Preprocessing p = new Preprocessing(20, 16, 16, Preprocessing.ChannelOrder.RGB, 1.0,
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NCHW,
                Preprocessing.Interpolation.BILINEAR);
        float[] t = assertDoesNotThrowLoad(new ImageLoader(p), png);
        for (int i = 0; i < 256; i++) {
            assertEquals(0, t[i], 1.0, "red plane empty at " + i);
            assertEquals(255, t[256 + i], 1.0, "green plane full at " + i);
        }
    }

    @Test
    void gifThatOpenCvCannotReadIsDecodedByImageIo() throws Exception {
        // hymenoptera holds such a file: a GIF named .jpg
        Path gif = TestImages.solid(tmp.resolve("really-a-gif.jpg"), 8, 8, Color.WHITE, "gif");
        float[] t = new ImageLoader(MINUS_ONE_TO_ONE).load(gif);
        assertEquals(1.0, t[0], 0.03, "white, up to the GIF palette's rounding");
    }

    @Test
    void largeJpegScanIsDecodedReducedAndStillCorrect() throws Exception {
        Path jpg = TestImages.solid(tmp.resolve("scan.jpg"), 4000, 3000, new Color(0, 0, 255), "jpg");
        Preprocessing p = Preprocessing.kerasTf(224, Preprocessing.Layout.NCHW);
        float[] t = new ImageLoader(p).load(jpg);
        assertEquals(3 * 224 * 224, t.length);
        assertEquals(1.0, t[2 * 224 * 224 + 1000], 0.05, "blue stays blue");
    }

    @Test
    void garbageAndEmptyFilesAreUnreadableWithAReason() throws Exception {
        ImageLoader loader = new ImageLoader(MINUS_ONE_TO_ONE);
        Path garbage = Files.write(tmp.resolve("x.jpg"), new byte[]{1, 2, 3, 4, 5});
        Path empty = Files.write(tmp.resolve("y.png"), new byte[0]);
        UnreadableImageException e1 = assertThrows(UnreadableImageException.class, () -> loader.load(garbage));
        assertTrue(e1.getMessage().contains("not a readable image"), e1.getMessage());
        UnreadableImageException e2 = assertThrows(UnreadableImageException.class, () -> loader.load(empty));
        assertTrue(e2.getMessage().contains("empty"), e2.getMessage());
        assertEquals(empty, e2.path());
    }

    private static float[] assertDoesNotThrowLoad(ImageLoader loader, Path file) {
        try {
            return loader.load(file);
        } catch (UnreadableImageException e) {
            throw new AssertionError(e);
        }
    }

    /** A phone photo stored sideways with an EXIF orientation tag is used the way it is shown. */
    @Test
    void exifOrientationIsHonoured() throws Exception {
        BufferedImage img = new BufferedImage(80, 40, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 80; x++) {
                img.setRGB(x, y, (x < 40 ? Color.RED : Color.BLUE).getRGB());
            }
        }
        Path plain = TestImages.write(img, tmp.resolve("plain.jpg"), "jpg");
        byte[] jpeg = Files.readAllBytes(plain);
        // APP1 "Exif": little-endian TIFF header, one IFD entry: Orientation (0x0112) = 6 (rotate 90° clockwise)
        byte[] exif = {(byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
                'I', 'I', 42, 0, 8, 0, 0, 0,
                1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,
                0, 0, 0, 0};
        byte[] rotated = new byte[jpeg.length + exif.length];
        System.arraycopy(jpeg, 0, rotated, 0, 2);                      // SOI
        System.arraycopy(exif, 0, rotated, 2, exif.length);
        System.arraycopy(jpeg, 2, rotated, 2 + exif.length, jpeg.length - 2);
        Path file = Files.write(tmp.resolve("rotated.jpg"), rotated);

        Preprocessing pre = new Preprocessing(0, 40, 40, Preprocessing.ChannelOrder.RGB, 1, new double[]{0, 0, 0},
                new double[]{1, 1, 1}, Preprocessing.Layout.NCHW, Preprocessing.Interpolation.BILINEAR);
        float[] t = new ImageLoader(pre).load(file);
        // shown rotated clockwise: the left (red) half is now on top, the blue half below
        float topRed = t[5 * 40 + 20];                  // channel 0 (R), row 5
        float bottomRed = t[35 * 40 + 20];              // channel 0 (R), row 35
        assertTrue(topRed > 200 && bottomRed < 50, "top red " + topRed + ", bottom red " + bottomRed);
    }

    /** Photos and scans keep exactly the resize they always had (the golden tests depend on it). */
    @Test
    void anOrdinaryImageIsResizedWholeThenCropped() {
        assertEquals(new CropPlan(0, 0, 300, 200, 384, 256, 80, 16), CropPlan.of(300, 200, 256, 224, 224));
        assertEquals(new CropPlan(0, 0, 1000, 4000, 224, 896, 0, 336), CropPlan.of(1000, 4000, 224, 224, 224),
                "a 4:1 page is nowhere near the budget");
    }

    /** A 2x100000 strip resized first would be 224x11,200,000 pixels (7.5 GB): its crop is cut out first. */
    @Test
    void anExtremeStripIsDecodedWithinThePixelBudget() throws Exception {
        CropPlan plan = CropPlan.of(2, 100_000, 224, 224, 224);
        assertTrue(plan.resizedPixels() <= (long) CropPlan.FAR_LARGER * 224 * 224, plan.toString());
        assertTrue(plan.height() < 20, "only the middle of the strip is resized: " + plan);

        // top half red, bottom half blue: the centre crop straddles the boundary
        org.bytedeco.opencv.opencv_core.Mat strip = new org.bytedeco.opencv.opencv_core.Mat(100_000, 2,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3);
        byte[] px = new byte[100_000 * 2 * 3];
        for (int i = 0; i < 100_000 * 2; i++) {
            px[3 * i + (i < 100_000 ? 2 : 0)] = (byte) 255;
        }
        strip.data().put(px);
        Path png = Files.write(tmp.resolve("strip.png"), OddFiles.encode(".png", strip));
        Preprocessing p = new Preprocessing(224, 224, 224, Preprocessing.ChannelOrder.RGB, 1.0,
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NCHW,
                Preprocessing.Interpolation.BILINEAR);
        float[] t = new ImageLoader(p).load(png);
        int plane = 224 * 224;
        assertEquals(255, t[10 * 224 + 100], 1, "red on top");
        assertEquals(0, t[2 * plane + 10 * 224 + 100], 1);
        assertEquals(0, t[200 * 224 + 100], 1, "blue below");
        assertEquals(255, t[2 * plane + 200 * 224 + 100], 1);
    }

    /** Cutting the region out first gives the crop resizing the whole image would have given. */
    @Test
    void croppingFirstGivesTheSameCropAsResizingFirst() {
        int w = 12;
        int h = 3000;
        org.bytedeco.opencv.opencv_core.Mat src = new org.bytedeco.opencv.opencv_core.Mat(h, w,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3);
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[3 * (y * w + x) + c] = (byte) (127 + 100 * Math.sin(y / 7.0 + c + x / 5.0));
                }
            }
        }
        src.data().put(px);
        Preprocessing p = new Preprocessing(224, 224, 224, Preprocessing.ChannelOrder.RGB, 1.0,
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, Preprocessing.Layout.NCHW,
                Preprocessing.Interpolation.BILINEAR);
        assertTrue(CropPlan.of(w, h, 224, 224, 224).height() < h, "this image takes the crop-first path");
        byte[] viaPlan = new byte[224 * 224 * 3];
        try (var crop = new ImageLoader(p).resizeAndCrop(src)) {
            crop.data().get(viaPlan);
        }
        // the old way: the whole image resized (224x56000), then the centre cut out
        byte[] whole = new byte[224 * 224 * 3];
        try (var sized = new org.bytedeco.opencv.opencv_core.Mat();
             var size = new org.bytedeco.opencv.opencv_core.Size(224, 56_000)) {
            org.bytedeco.opencv.global.opencv_imgproc.resize(src, sized, size, 0, 0,
                    org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR);
            try (var r = new org.bytedeco.opencv.opencv_core.Rect(0, (56_000 - 224) / 2, 224, 224);
                 var view = new org.bytedeco.opencv.opencv_core.Mat(sized, r); var crop = view.clone()) {
                crop.data().get(whole);
            }
        }
        int worst = 0;
        for (int i = 0; i < whole.length; i++) {
            worst = Math.max(worst, Math.abs((whole[i] & 0xFF) - (viaPlan[i] & 0xFF)));
        }
        assertTrue(worst <= 3, "largest difference " + worst + " grey levels");
        src.close();
    }
}
