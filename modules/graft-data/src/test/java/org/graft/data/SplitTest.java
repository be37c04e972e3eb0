package org.graft.data;

import org.graft.common.GraftException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitTest {
    @TempDir
    Path root;
    ImageFolder folder;

    @BeforeEach
    void data() {
        for (int i = 0; i < 50; i++) {
            TestImages.solid(root.resolve("many/" + i + ".png"), 2, 2, Color.RED, "png");
        }
        for (int i = 0; i < 10; i++) {
            TestImages.solid(root.resolve("few/" + i + ".png"), 2, 2, Color.BLUE, "png");
        }
        TestImages.solid(root.resolve("single/0.png"), 2, 2, Color.GREEN, "png");
        folder = ImageFolder.scanForTraining(root);
    }

    @Test
    void eachClassIsSplitInProportion() {
        Split s = Split.stratified(folder, 0.2, 1);
        assertEquals(10, count(s.validation(), "many"));
        assertEquals(2, count(s.validation(), "few"));
        assertEquals(0, count(s.validation(), "single"), "a lone image stays in training");
        assertEquals(61, s.train().images().size() + s.validation().images().size());
        Set<Path> train = new HashSet<>(s.train().images().stream().map(ImageEntry::path).toList());
        assertTrue(s.validation().images().stream().noneMatch(e -> train.contains(e.path())), "no overlap");
    }

    private static long count(ImageFolder f, String label) {
        return f.images().stream().filter(e -> e.label().equals(label)).count();
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        List<ImageEntry> a = Split.stratified(folder, 0.2, 7).validation().images();
        List<ImageEntry> b = Split.stratified(ImageFolder.scanForTraining(root), 0.2, 7).validation().images();
        List<ImageEntry> c = Split.stratified(folder, 0.2, 8).validation().images();
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void manifestRoundTrips() throws Exception {
        Split s = Split.stratified(folder, 0.2, 3);
        Path manifest = root.resolve("split.csv");
        s.writeManifest(manifest);
        Split back = Split.readManifest(manifest, root, root, s.labels());
        assertEquals(s.train().images(), back.train().images());
        assertEquals(s.validation().images(), back.validation().images());
    }

    // --- grouping ---

    /**
     * Cut-outs of 30 manuscript pages: each page holds cut-outs of one to three classes (a common, b less, c rare),
     * named {@code <class>/page<NN>_<i>.png}, so that 'page\d+' groups them by page across classes.
     */
    private ImageFolder pages(String name, boolean loneClass) {
        Path data = root.resolve(name);
        Random r = new Random(42);
        for (int page = 0; page < 30; page++) {
            for (String label : List.of("a", "b", "c")) {
                double p = label.equals("a") ? 0.8 : label.equals("b") ? 0.6 : 0.35;
                if (r.nextDouble() < p || (label.equals("c") && page < 2)) {
                    int cuts = 1 + r.nextInt(4);
                    for (int i = 0; i < cuts; i++) {
                        TestImages.solid(data.resolve(String.format("%s/page%02d_%d.png", label, page, i)), 2, 2,
                                Color.RED, "png");
                    }
                }
            }
        }
        if (loneClass) {
            TestImages.solid(data.resolve("lone/page77_0.png"), 2, 2, Color.RED, "png");
        }
        return ImageFolder.scanForTraining(data);
    }

    private static final Grouping BY_PAGE = Grouping.byRegex("page\\d+");

    /** A CSV grouping of the same folder that differs from the regex: pages paired into volumes of two. */
    private static Path volumesCsv(ImageFolder folder, Path csv) throws Exception {
        StringBuilder b = new StringBuilder("path,group\n");
        for (ImageEntry e : folder.images()) {
            String rel = folder.root().relativize(e.path()).toString().replace('\\', '/');
            int page = Integer.parseInt(rel.replaceAll(".*page(\\d+)_.*", "$1"));
            b.append(rel).append(",volume").append(page / 2).append('\n');
        }
        return Files.writeString(csv, b.toString());
    }

    @Test
    void aPlainSplitPutsCutOutsOfOnePageOnBothSides() {
        // why grouping exists: the helper does see straddling when nothing prevents it
        ImageFolder folder = pages("pages", false);
        assertFalse(Split.straddlingGroups(Split.stratified(folder, 0.2, 1), BY_PAGE).isEmpty());
    }

    @Test
    void aRegexGroupNeverStraddlesAndTheSplitStaysStratified() {
        ImageFolder folder = pages("pages", true);
        Map<String, Long> totals = folder.countsByLabel();
        for (long seed = 0; seed < 50; seed++) {
            Split s = Split.stratified(folder, 0.2, seed, BY_PAGE);
            assertEquals(List.of(), Split.straddlingGroups(s, BY_PAGE), "seed " + seed);
            assertRoughlyStratified(s, totals, 0.2, "seed " + seed);
            assertEquals(0, count(s.validation(), "lone"), "a one-image class keeps its image for training");
            assertEquals(folder.images().size(), s.train().images().size() + s.validation().images().size());
        }
    }

    @Test
    void aCsvGroupNeverStraddlesAndTheSplitStaysStratified() throws Exception {
        ImageFolder folder = pages("pages", false);
        Grouping byVolume = Grouping.fromCsv(volumesCsv(folder, root.resolve("volumes.csv")));
        assertEquals(0, byVolume.countUnmatched(folder.root(), folder.images()));
        for (long seed = 0; seed < 50; seed++) {
            Split s = Split.stratified(folder, 0.25, seed, byVolume);
            assertEquals(List.of(), Split.straddlingGroups(s, byVolume), "seed " + seed);
            assertRoughlyStratified(s, folder.countsByLabel(), 0.25, "seed " + seed);
        }
    }

    /** Each class within 10 points of the fraction and keeps a training image; the whole within 5 points. */
    private static void assertRoughlyStratified(Split s, Map<String, Long> totals, double fraction, String what) {
        long all = totals.values().stream().mapToLong(Long::longValue).sum();
        double overall = s.validation().images().size() / (double) all;
        assertTrue(Math.abs(overall - fraction) <= 0.05, what + ": validation fraction " + overall);
        for (Map.Entry<String, Long> t : totals.entrySet()) {
            assertTrue(count(s.train(), t.getKey()) >= 1, what + ": " + t.getKey() + " keeps a training image");
            if (t.getValue() >= 10) {
                double f = count(s.validation(), t.getKey()) / (double) t.getValue();
                assertTrue(Math.abs(f - fraction) <= 0.10, what + ": class " + t.getKey() + " at " + f);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameGroupedSplit() {
        ImageFolder folder = pages("pages", false);
        List<ImageEntry> a = Split.stratified(folder, 0.2, 5, BY_PAGE).validation().images();
        List<ImageEntry> b = Split.stratified(pages("pages", false), 0.2, 5, BY_PAGE).validation().images();
        List<ImageEntry> c = Split.stratified(folder, 0.2, 6, BY_PAGE).validation().images();
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void withoutGroupingTheSplitAndManifestAreTheOldOnes() throws Exception {
        for (long seed = 0; seed < 10; seed++) {
            Split old = Split.stratified(folder, 0.2, seed);
            Split none = Split.stratified(folder, 0.2, seed, Grouping.none());
            assertEquals(old.train().images(), none.train().images());
            assertEquals(old.validation().images(), none.validation().images());
            old.writeManifest(root.resolve("old.csv"));
            none.writeManifest(root.resolve("none.csv"));
            assertEquals(Files.readString(root.resolve("old.csv")), Files.readString(root.resolve("none.csv")));
        }
        assertEquals("subset,label,path", Files.readAllLines(root.resolve("none.csv")).get(0));
        // pinned: the plain split of this folder must not change, or existing split.csv files would not reproduce
        List<String> few = Split.stratified(folder, 0.2, 1).validation().images().stream()
                .filter(e -> e.label().equals("few")).map(e -> e.path().getFileName().toString()).toList();
        assertEquals(PINNED_FEW_SEED_1, few);
    }

    private static final List<String> PINNED_FEW_SEED_1 = List.of("6.png", "9.png");

    @Test
    void aGroupedManifestHasAGroupColumnAndReadsBack() throws Exception {
        ImageFolder folder = pages("pages", false);
        Split s = Split.stratified(folder, 0.2, 3, BY_PAGE);
        Path manifest = root.resolve("split.csv");
        s.writeManifest(manifest);
        List<String> lines = Files.readAllLines(manifest);
        assertEquals("subset,label,path,group", lines.get(0));
        assertTrue(lines.get(1).matches("train,\\w+,\\w/page(\\d+)_\\d\\.png,page\\1"), lines.get(1));

        Split back = Split.readManifest(manifest, folder.root(), folder.root(), s.labels());
        assertEquals(s.train().images(), back.train().images());
        assertEquals(s.validation().images(), back.validation().images());
        assertFalse(back.grouping().isNone());
        ImageEntry first = back.validation().images().get(0);
        assertEquals(BY_PAGE.groupOf(folder.root(), first), back.grouping().groupOf(folder.root(), first));
        assertEquals(List.of(), Split.straddlingGroups(back, back.grouping()));
    }

    @Test
    void oneGroupForEverythingCannotBeSplit() {
        ImageFolder folder = pages("pages", false);
        GraftException e = assertThrows(GraftException.class,
                () -> Split.stratified(folder, 0.2, 1, Grouping.byRegex("png")));
        assertTrue(e.getMessage().contains("one group") && e.getMessage().contains("'png'"), e.getMessage());
    }

    // --- folds ---

    @Test
    void eachImageIsValidatedInExactlyOneFoldAndGroupsStayWhole() {
        ImageFolder folder = pages("pages", false);
        Map<String, Long> totals = folder.countsByLabel();
        for (long seed = 0; seed < 10; seed++) {
            List<Split> folds = Split.folds(folder, 5, seed, BY_PAGE);
            assertEquals(5, folds.size());
            Map<Path, Integer> validated = new HashMap<>();
            for (Split fold : folds) {
                assertEquals(List.of(), Split.straddlingGroups(fold, BY_PAGE), "seed " + seed);
                assertEquals(folder.images().size(), fold.train().images().size() + fold.validation().images().size());
                fold.validation().images().forEach(e -> validated.merge(e.path(), 1, Integer::sum));
                for (Map.Entry<String, Long> t : totals.entrySet()) {
                    double share = count(fold.validation(), t.getKey()) / (double) t.getValue();
                    assertTrue(Math.abs(share - 0.2) <= 0.08, "seed " + seed + ", class " + t.getKey()
                            + ": " + share + " of it in one fold");
                    assertTrue(count(fold.train(), t.getKey()) > 0);
                }
            }
            assertEquals(folder.images().size(), validated.size(), "every image validated");
            assertTrue(validated.values().stream().allMatch(n -> n == 1), "and only once");
        }
    }

    @Test
    void foldsWithoutGroupingSplitEveryClassEvenly() {
        ImageFolder folder = pages("pages", false);
        List<Split> folds = Split.folds(folder, 4, 9, Grouping.none());
        Map<String, Long> totals = folder.countsByLabel();
        for (Split fold : folds) {
            for (Map.Entry<String, Long> t : totals.entrySet()) {
                long n = count(fold.validation(), t.getKey());
                assertTrue(n == t.getValue() / 4 || n == (t.getValue() + 3) / 4, t.getKey() + ": " + n);
            }
        }
        assertEquals(folds.stream().map(f -> f.validation().images()).toList(),
                Split.folds(folder, 4, 9, Grouping.none()).stream().map(f -> f.validation().images()).toList());
        assertNotEquals(folds.get(0).validation().images(),
                Split.folds(folder, 4, 10, Grouping.none()).get(0).validation().images());
    }

    @Test
    void impossibleFoldsAreRefusedWithAHint() {
        ImageFolder folder = pages("pages", false);
        GraftException e = assertThrows(GraftException.class, () -> Split.folds(folder, 1, 0, BY_PAGE));
        assertTrue(e.getMessage().contains("at least 2 folds"), e.getMessage());
        int pages = (int) folder.images().stream().map(x -> BY_PAGE.groupOf(folder.root(), x)).distinct().count();
        e = assertThrows(GraftException.class, () -> Split.folds(folder, pages + 1, 0, BY_PAGE));
        assertTrue(e.getMessage().contains((pages + 1) + " folds from " + pages + " groups"), e.getMessage());
        assertTrue(e.hint().contains("--folds " + pages), e.hint());
        assertEquals(pages, Split.folds(folder, pages, 0, BY_PAGE).size(), "one page per fold is fine");
        // a class that lives on one page cannot be validated without training on none of it
        e = assertThrows(GraftException.class, () -> Split.folds(pages("lonely", true), 5, 0, BY_PAGE));
        assertTrue(e.getMessage().contains("[lone]"), e.getMessage());
        e = assertThrows(GraftException.class, () -> Split.folds(this.folder, 5, 0, Grouping.none()));
        assertTrue(e.getMessage().contains("[single]") && e.getMessage().contains("one image"), e.getMessage());
    }

    /** A backslash is part of a Linux file name: the split manifest keeps it, so the file is found again. */
    @Test
    void aBackslashInANameSurvivesTheSplitManifest() throws Exception {
        Path dir = root.resolve("backslash");
        TestImages.solid(dir.resolve("red/a\\b.png"), 4, 4, Color.RED, "png");
        TestImages.solid(dir.resolve("red/c.png"), 4, 4, Color.RED, "png");
        TestImages.solid(dir.resolve("blue/d.png"), 4, 4, Color.BLUE, "png");
        TestImages.solid(dir.resolve("blue/e.png"), 4, 4, Color.BLUE, "png");
        ImageFolder folder = ImageFolder.scanForTraining(dir);
        Split split = Split.stratified(folder, 0.5, 1);
        Path manifest = dir.resolve("split.csv");
        split.writeManifest(manifest);
        assertTrue(Files.readString(manifest).contains("red/a\\b.png"), Files.readString(manifest));
        Split back = Split.readManifest(manifest, folder.root(), folder.root(), folder.labels());
        List<ImageEntry> all = new java.util.ArrayList<>(back.train().images());
        all.addAll(back.validation().images());
        assertEquals(4, all.size());
        for (ImageEntry e : all) {
            assertTrue(Files.isRegularFile(e.path()), e.path() + " does not exist");
        }
    }
}
