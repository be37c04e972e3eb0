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

    /** Scans sorted into sub-folders (issue/page) still belong to the class folder they sit in. */
    @Test
    void imagesInSubFoldersBelongToTheirClassFolder() {
        TestImages.solid(root.resolve("good/1925/p01.png"), 8, 8, Color.RED, "png");
        TestImages.solid(root.resolve("good/1925/03/p02.png"), 8, 8, Color.RED, "png");
        TestImages.solid(root.resolve("bad/p03.png"), 8, 8, Color.BLUE, "png");
        ImageFolder folder = ImageFolder.scanForTraining(root);
        assertEquals(List.of("bad", "good"), folder.labels());
        assertEquals(2L, folder.countsByLabel().get("good"));
    }

    /** A link back up the tree is not followed round and round; a file reached twice counts once. */
    @Test
    void symlinkLoopsAndAliasesNeitherHangNorDuplicate() throws Exception {
        TestImages.solid(root.resolve("red/a.png"), 8, 8, Color.RED, "png");
        TestImages.solid(root.resolve("blue/b.png"), 8, 8, Color.BLUE, "png");
        Files.createSymbolicLink(root.resolve("blue/loop"), root);            // loop: blue/loop -> root
        Files.createSymbolicLink(root.resolve("red/alias.png"), root.resolve("red/a.png"));
        ImageFolder folder = ImageFolder.scanForTraining(root);
        assertEquals(2, folder.images().size(), folder.images().toString());
        assertEquals(List.of("blue", "red"), folder.labels());
        assertTrue(folder.skipped().stream().anyMatch(s -> s.reason().contains("loop")), folder.skipped().toString());
        assertTrue(folder.skipped().stream().anyMatch(s -> s.path().endsWith("alias.png")
                && s.reason().contains("same file")), folder.skipped().toString());
    }

    @Test
    void theSameImageUnderTwoClassesIsFound() throws Exception {
        TestImages.solid(root.resolve("red/a.png"), 8, 8, Color.RED, "png");
        Files.copy(root.resolve("red/a.png"), Files.createDirectories(root.resolve("blue")).resolve("copy.png"));
        TestImages.solid(root.resolve("blue/b.png"), 8, 8, Color.BLUE, "png");
        TestImages.solid(root.resolve("red/c.png"), 8, 8, Color.RED, "png"); // the same bytes again
        ImageFolder folder = ImageFolder.scanForTraining(root);
        List<List<ImageEntry>> dups = ImageFolder.duplicatesAcrossClasses(folder.images());
        assertEquals(1, dups.size(), dups.toString());
        assertEquals(3, dups.get(0).size(), "every copy is listed");
        assertEquals(java.util.Set.of("red", "blue"), dups.get(0).stream().map(ImageEntry::label)
                .collect(java.util.stream.Collectors.toSet()));
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
        TestImages.solid(root.resolve(nfc).resolve("1.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve(nfd).resolve("2.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("other/3.png"), 4, 4, Color.BLUE, "png");
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

    /** Every odd file ends as documented: used, skipped with its reason (by the scan or by decoding), or ignored. */
    @Test
    void everyOddFileHasItsDocumentedOutcome() throws Exception {
        List<OddFiles.Odd> odds = OddFiles.write(root);
        ImageFolder folder = ImageFolder.scan(root);
        ImageLoader loader = new ImageLoader(Preprocessing.kerasTf(32, Preprocessing.Layout.NCHW));
        java.util.Map<Path, String> skipped = new java.util.HashMap<>();
        folder.skipped().forEach(s -> skipped.put(s.path(), s.reason()));
        java.util.Set<Path> used = new java.util.HashSet<>();
        for (ImageEntry e : folder.images()) {
            try {
                loader.load(e.path());
                used.add(e.path());
            } catch (UnreadableImageException decoding) {
                skipped.put(e.path(), decoding.getMessage());
            }
        }
        java.util.Set<Path> ignored = new java.util.HashSet<>();
        folder.ignored().forEach(i -> ignored.add(i.path()));
        List<String> wrong = new java.util.ArrayList<>();
        for (OddFiles.Odd odd : odds) {
            String actual = used.contains(odd.path()) ? "USED" : skipped.containsKey(odd.path())
                    ? "SKIPPED: " + skipped.get(odd.path()) : ignored.contains(odd.path()) ? "IGNORED" : "missing";
            boolean ok = switch (odd.outcome()) {
                case USED -> actual.equals("USED");
                case SKIPPED -> actual.startsWith("SKIPPED") && actual.contains(odd.reason());
                case IGNORED -> actual.equals("IGNORED");
            };
            if (!ok) {
                wrong.add(root.relativize(odd.path()) + ": expected " + odd.outcome()
                        + (odd.reason() == null ? "" : " (" + odd.reason() + ")") + ", got " + actual);
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(List.of("blue", "red"), folder.labels(), "hidden and system folders are no classes");
    }

    @Test
    void hiddenAndSystemFoldersAreIgnoredAndListed() {
        TestImages.solid(root.resolve("red/a.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("blue/b.png"), 4, 4, Color.BLUE, "png");
        List<String> system = List.of(".hidden", "@eaDir", ".ipynb_checkpoints", "__MACOSX", "$RECYCLE.BIN",
                ".Trash-1000", "System Volume Information", "red/@eaDir", "red/.ipynb_checkpoints");
        for (String s : system) {
            TestImages.solid(root.resolve(s).resolve("thumb.png"), 4, 4, Color.GREEN, "png");
        }
        ImageFolder folder = ImageFolder.scanForTraining(root);
        assertEquals(List.of("blue", "red"), folder.labels());
        assertEquals(2, folder.images().size());
        assertEquals(List.of(), folder.skipped());
        for (String s : system) {
            assertTrue(folder.ignored().stream().anyMatch(i -> i.path().equals(root.resolve(s).toAbsolutePath()
                    .normalize()) && i.reason().contains("hidden or system folder")), s + ": " + folder.ignored());
        }
    }

    @Test
    void aRootAlreadySplitIntoTrainAndValIsRefusedWithTheOptionsToUse() {
        for (String part : List.of("train", "val")) {
            TestImages.solid(root.resolve(part).resolve("ants/a.png"), 4, 4, Color.RED, "png");
            TestImages.solid(root.resolve(part).resolve("bees/b.png"), 4, 4, Color.BLUE, "png");
        }
        GraftException e = assertThrows(org.graft.common.BadDataException.class,
                () -> ImageFolder.scanForTraining(root));
        assertTrue(e.getMessage().contains("already split") && e.getMessage().contains("'train'"), e.getMessage());
        String abs = root.toAbsolutePath().normalize().toString();
        assertTrue(e.hint().contains("--data " + abs + "/train --val " + abs + "/val"), e.hint());
    }

    @Test
    void validationOrTestTooButNotClassesThatMerelyShareTheName() {
        TestImages.solid(root.resolve("training/ants/a.png"), 4, 4, Color.RED, "png");
        TestImages.solid(root.resolve("test/ants/a.png"), 4, 4, Color.RED, "png");
        GraftException e = assertThrows(GraftException.class, () -> ImageFolder.scanForTraining(root));
        assertTrue(e.hint().contains("/training --val ") && e.hint().contains("/test"), e.hint());
        // classes called "train" and "test" holding their images directly are just classes
        Path other = root.resolve("other");
        TestImages.solid(other.resolve("train/a.png"), 4, 4, Color.RED, "png");
        TestImages.solid(other.resolve("test/b.png"), 4, 4, Color.BLUE, "png");
        assertEquals(List.of("test", "train"), ImageFolder.scanForTraining(other).labels());
    }

    /** Non-images are not silently dropped: each is listed as ignored, and not as skipped. */
    @Test
    void nonImageFilesAreListedAsIgnored() throws Exception {
        TestImages.solid(root.resolve("red/a.png"), 4, 4, Color.RED, "png");
        Files.writeString(root.resolve("red/notes.txt"), "text");
        Files.writeString(root.resolve("red/.DS_Store"), "x");
        Files.writeString(root.resolve("README"), "x");
        ImageFolder folder = ImageFolder.scan(root);
        assertEquals(3, folder.ignored().size(), folder.ignored().toString());
        assertTrue(folder.ignored().stream().anyMatch(i -> i.reason().equals("not an image name (.txt)")));
        assertTrue(folder.ignored().stream().anyMatch(i -> i.reason().equals("a hidden file")));
        assertEquals(List.of(), folder.skipped());
    }
}
