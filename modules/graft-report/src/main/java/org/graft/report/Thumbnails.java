package org.graft.report;

import org.graft.data.ImagePreview;
import org.graft.data.UnreadableImageException;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import javax.imageio.ImageIO;

/** Small JPEG previews embedded in the report, so its gallery needs nothing but the HTML file. */
final class Thumbnails {
    static final int SIZE = 160;

    private Thumbnails() {
    }

    /**
     * A preview of {@code image} as a data URI, or empty when it cannot be read. Through graft-data's gate, so a
     * pipe, a huge or a damaged file in a run's lists cannot stall or exhaust the report.
     */
    static Optional<String> of(Path image) {
        try {
            BufferedImage thumb = ImagePreview.of(image, SIZE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(thumb, "jpeg", out);
            return Optional.of("data:image/jpeg;base64," + Base64.getEncoder().encodeToString(out.toByteArray()));
        } catch (UnreadableImageException | IOException e) {
            return Optional.empty();
        }
    }
}
