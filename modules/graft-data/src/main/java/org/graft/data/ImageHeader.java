package org.graft.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/**
 * The size and format of an image, read from its header only (cheap even for a 20,000-pixel scan).
 *
 * @param format as named by Java's ImageIO: "jpeg", "png", "gif", "bmp", "tif"
 */
public record ImageHeader(int width, int height, String format) {

    /** Reads the header of an image held in memory; empty when no reader recognises the content. */
    public static Optional<ImageHeader> read(byte[] bytes) {
        return readFrom(new ByteArrayInputStream(bytes));
    }

    /** Reads the header of an image file without decoding its pixels; empty when it is not an image. */
    public static Optional<ImageHeader> read(Path file) {
        return readFrom(file.toFile());
    }

    private static Optional<ImageHeader> readFrom(Object source) {
        try (ImageInputStream in = ImageIO.createImageInputStream(source)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (in == null || !readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return Optional.of(new ImageHeader(reader.getWidth(0), reader.getHeight(0),
                        reader.getFormatName().toLowerCase(java.util.Locale.ROOT)));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
