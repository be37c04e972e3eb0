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
}
