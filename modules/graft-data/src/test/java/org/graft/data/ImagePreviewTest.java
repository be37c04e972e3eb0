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

class ImagePreviewTest {
    @TempDir
    Path tmp;

    @Test
    void aPreviewFitsTheBoxKeepsItsColourAndIsRefusedAsTrainingRefusesIt() throws Exception {
        Path jpg = TestImages.solid(tmp.resolve("scan.jpg"), 4000, 3000, new Color(20, 40, 220), "jpg");
        BufferedImage p = ImagePreview.of(jpg, 160);
        assertEquals(160, p.getWidth());
        assertEquals(120, p.getHeight());
        Color c = new Color(p.getRGB(80, 60));
        assertTrue(Math.abs(c.getBlue() - 220) < 6 && c.getRed() < 30, c.toString());
        assertEquals(8, ImagePreview.of(TestImages.solid(tmp.resolve("s.png"), 8, 4, Color.RED, "png"), 160)
                .getWidth(), "never enlarged");
        Path text = Files.writeString(tmp.resolve("t.jpg"), "text");
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> ImagePreview.of(text, 160));
        assertTrue(e.getMessage().contains("not a readable image"), e.getMessage());
    }
}
