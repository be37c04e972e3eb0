package org.graft.spark;

import org.graft.data.ImageLoader;
import org.graft.data.Preprocessing;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Not a test: what decoding one page scan costs on one core (docs/Scale.md). Writes an A4 page at 300 dpi
 * (2480x3508, text-like strokes on paper-coloured noise) as JPEG, PNG and TIFF and times {@link ImageLoader} turning
 * each into a 224x224 tensor (the MobileNet/EfficientNet preprocessing).
 * Run: java -cp "target/test-classes:target/classes:target/lib/*:target/spark-lib/*" org.graft.spark.DecodeCost
 */
public final class DecodeCost {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("graft-decode-");
        BufferedImage page = new BufferedImage(2480, 3508, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = page.createGraphics();
        g.setColor(new Color(236, 228, 210));
        g.fillRect(0, 0, page.getWidth(), page.getHeight());
        Random r = new Random(1);
        g.setColor(new Color(40, 35, 30));
        g.setFont(new Font(Font.SERIF, Font.PLAIN, 42));
        for (int y = 300; y < 3300; y += 60) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 70; i++) {
                line.append((char) ('a' + r.nextInt(26)));
                if (r.nextInt(6) == 0) {
                    line.append(' ');
                }
            }
            g.drawString(line.toString(), 250, y);
        }
        g.dispose();
        ImageLoader loader = new ImageLoader(Preprocessing.kerasTf(224, Preprocessing.Layout.NHWC));
        for (String format : new String[]{"jpg", "png", "tif"}) {
            Path file = dir.resolve("page." + format);
            ImageIO.write(page, format.equals("tif") ? "tiff" : format, file.toFile());
            for (int i = 0; i < 3; i++) {
                loader.load(file);
            }
            int n = 10;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                loader.load(file);
            }
            double ms = (System.nanoTime() - start) / 1e6 / n;
            System.out.printf(Locale.ROOT, "%s %.1f MB: %.0f ms per page on one thread%n", format,
                    Files.size(file) / 1e6, ms);
            Files.delete(file);
        }
        Files.delete(dir);
    }
}
