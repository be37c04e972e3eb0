package org.graft.data;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Writes small synthetic images for tests (shared with other modules through this module's test jar). */
public final class TestImages {
    private TestImages() {
    }

    /** A solid-colour image. {@code format}: png, jpg, bmp, gif, tif. */
    public static Path solid(Path file, int width, int height, Color color, String format) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, color.getRGB());
            }
        }
        return write(img, file, format);
    }

    public static Path write(BufferedImage img, Path file, String format) {
        try {
            Files.createDirectories(file.getParent());
            String f = format.equals("jpg") ? "jpeg" : format.equals("tif") ? "tiff" : format;
            BufferedImage out = img;
            if (f.equals("gif")) {
                out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
                out.getGraphics().drawImage(img, 0, 0, null);
            }
            if (!ImageIO.write(out, f, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + f);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A learnable data set: one folder per colour, each image that colour plus noise, so that a classifier can
     * tell the classes apart. Returns the root.
     */
    public static Path colourClasses(Path root, List<String> names, List<Color> colours, int perClass, int size,
                                     long seed) {
        Random r = new Random(seed);
        for (int c = 0; c < names.size(); c++) {
            Color base = colours.get(c);
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        img.setRGB(x, y, new Color(clamp(base.getRed() + r.nextInt(61) - 30),
                                clamp(base.getGreen() + r.nextInt(61) - 30),
                                clamp(base.getBlue() + r.nextInt(61) - 30)).getRGB());
                    }
                }
                write(img, root.resolve(names.get(c)).resolve(String.format("img_%03d.png", i)), "png");
            }
        }
        return root;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /**
     * Two picture-like images (smooth waves, not noise: a random-weight network on white noise has activations far
     * beyond any photo's) as a batch tensor, already through {@code pre}'s scaling and layout.
     */
    public static org.nd4j.linalg.api.ndarray.INDArray smoothBatch(Preprocessing pre) {
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.create(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, pre.shape(2));
        boolean nhwc = pre.layout() == Preprocessing.Layout.NHWC;
        for (int n = 0; n < 2; n++) {
            for (int y = 0; y < pre.cropHeight(); y++) {
                for (int xx = 0; xx < pre.cropWidth(); xx++) {
                    for (int c = 0; c < 3; c++) {
                        double pixel = 127.5 + 100 * Math.sin(y / (9.0 + 4 * n) + c) * Math.cos(xx / (13.0 - c));
                        double v = (pixel * pre.scale() - pre.mean()[c]) / pre.std()[c];
                        x.putScalar(nhwc ? new long[]{n, y, xx, c} : new long[]{n, c, y, xx}, v);
                    }
                }
            }
        }
        return x;
    }
}
