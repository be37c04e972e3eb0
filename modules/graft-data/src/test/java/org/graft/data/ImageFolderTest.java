package org.graft.data;

import org.graft.common.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderTest {
    @TempDir
    Path root;

    @Test
    void labelsComeFromFolderNamesInAlphabeticalOrderAndOddFilesAreListed() throws Exception {
        TestImages.solid(root.resolve("zebra/a.png"), 8, 8, Color.BLACK, "png");
        TestImages.solid(root.resolve("apple/b.jpg"), 8, 8, Color.RED, "jpg");
        TestImages.solid(root.resolve("apple/c.GIF"), 8, 8, Color.RED, "gif");
        Files.writeString(root.resolve("apple/notes.jpg"), "not an image");     // a text file named .jpg
        Files.writeString(root.resolve("apple/readme.txt"), "ignored: not an image name");
        Files.writeString(root.resolve("apple/._b.jpg"), "macOS resource fork");  // hidden: ignored
        TestImages.solid(root.resolve("stray.png"), 8, 8, Color.BLUE, "png");     // not in a class folder

        ImageFolder folder = ImageFolder.scanForTraining(root);
        assertEquals(List.of("apple", "zebra"), folder.labels());
        assertEquals(3, folder.images().size());
        assertEquals(2, folder.countsByLabel().get("apple"));
        assertEquals(2, folder.skipped().size(), "the fake jpg and the stray image: " + folder.skipped());
        assertTrue(folder.skipped().stream().anyMatch(s -> s.path().endsWith("notes.jpg")
                && s.reason().contains("not a readable image")));
        assertTrue(folder.skipped().stream().anyMatch(s -> s.path().endsWith("stray.png")
                && s.reason().contains("class folder")));
    }

    @Test
    void hangulAndHanjaNamesWork() throws Exception {
        TestImages.solid(root.resolve("인쇄소/첫째 쪽.png"), 16, 16, Color.RED, "png");
        TestImages.solid(root.resolve("印刷所/頁 (2).jpg"), 16, 16, Color.BLUE, "jpg");
        ImageFolder folder = ImageFolder.scanForTraining(root);
        assertEquals(2, folder.labels().size());
        assertTrue(folder.labels().containsAll(List.of("인쇄소", "印刷所")));
        ImageLoader loader = new ImageLoader(org.graft.data.Preprocessing.kerasTf(16,
                Preprocessing.Layout.NCHW));
        for (ImageEntry e : folder.images()) {
            assertEquals(3 * 16 * 16, loader.load(e.path()).length, e.path().toString());
        }
    }

    @Test
    void hangulClassNamesInNfcAndNfdAreOneClass() {
        String nfc = java.text.Normalizer.normalize("인쇄소", java.text.Normalizer.Form.NFC);
        String nfd = java.text.Normalizer.normalize("인쇄소", java.text.Normalizer.Form.NFD);
        org.junit.jupiter.api.Assumptions.assumeFalse(nfc.equals(nfd));
        TestImages.solid(root.resolve("a").resolve(nfc).resolve("1.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("b").resolve(nfd).resolve("2.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("c/other/3.png"), 4, 4, Color.BLUE, "png");
        ImageFolder folder = ImageFolder.scan(root);
        assertEquals(List.of("other", nfc), folder.labels(), "one class, written in NFC");
        assertEquals(2, folder.countsByLabel().get(nfc));
    }

    @Test
    void missingFolderSaysSo() {
        GraftException e = assertThrows(GraftException.class,
                () -> ImageFolder.scanForTraining(root.resolve("nope")));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void aFileIsNotAFolder() throws Exception {
        Path file = TestImages.solid(root.resolve("x.png"), 4, 4, Color.RED, "png");
        GraftException e = assertThrows(GraftException.class, () -> ImageFolder.scanForTraining(file));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
    }

    @Test
    void emptyFolderSaysHowToLayOutTheData() {
        GraftException e = assertThrows(GraftException.class, () -> ImageFolder.scanForTraining(root));
        assertTrue(e.getMessage().contains("No readable images"), e.getMessage());
        assertTrue(e.hint().contains("sub-folder per class"), e.hint());
    }

    @Test
    void emptyClassFolderIsNamed() throws Exception {
        TestImages.solid(root.resolve("good/a.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("bad/a.png"), 4, 4, Color.RED, "png");
        Files.createDirectories(root.resolve("ugly"));
        GraftException e = assertThrows(GraftException.class, () -> ImageFolder.scanForTraining(root));
        assertTrue(e.getMessage().contains("ugly"), e.getMessage());
    }

    @Test
    void singleClassIsRefusedWithAnExample() throws Exception {
        TestImages.solid(root.resolve("good/a.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("good/b.png"), 4, 4, Color.RED, "png");
        GraftException e = assertThrows(GraftException.class, () -> ImageFolder.scanForTraining(root));
        assertTrue(e.getMessage().contains("Only one class"), e.getMessage());
        // evaluation may use one class
        assertEquals(1, ImageFolder.scan(root).labels().size());
    }
}
