package org.graft.report;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/** Small JPEG previews embedded in the report, so its gallery needs nothing but the HTML file. */
final class Thumbnails {
    static final int SIZE = 160;

    private Thumbnails() {
    }

    static Optional<String> of(Path image) {
        try {
            BufferedImage src = ImageIO.read(image.toFile());
            if (src == null) {
                return Optional.empty();
            }
            double s = (double) SIZE / Math.max(src.getWidth(), src.getHeight());
            int w = Math.max(1, (int) Math.round(src.getWidth() * Math.min(1, s)));
            int h = Math.max(1, (int) Math.round(src.getHeight() * Math.min(1, s)));
            BufferedImage thumb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = thumb.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(thumb, "jpeg", out);
            return Optional.of("data:image/jpeg;base64," + Base64.getEncoder().encodeToString(out.toByteArray()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
