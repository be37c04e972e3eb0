package org.graft.data;

import org.graft.common.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupingTest {
    @TempDir
    Path root;

    private ImageEntry entry(String relative) {
        return new ImageEntry(root.resolve(relative), relative.substring(0, relative.indexOf('/')));
    }

    @Test
    void regexTakesTheFirstCapturingGroupElseTheWholeMatch() {
        Grouping byCharacter = Grouping.byRegex("^[^/]+/([^/]+)/");
        assertEquals("character07", byCharacter.groupOf(root, entry("Latin/character07/0412_03.png")));
        Grouping byPage = Grouping.byRegex("page\\d+");
        assertEquals("page12", byPage.groupOf(root, entry("initials/ms3_page12_cut4.jpg")));
        assertTrue(byPage.covers(root, entry("initials/ms3_page12_cut4.jpg")));
        assertTrue(byPage.describe().contains("page\\d+"));
    }

    @Test
    void anImageTheRegexMissesIsItsOwnGroupAndIsCounted() {
        Grouping byPage = Grouping.byRegex("page\\d+");
        ImageEntry loose = entry("initials/loose_scan.jpg");
        assertFalse(byPage.covers(root, loose));
        assertEquals("initials/loose_scan.jpg", byPage.groupOf(root, loose));
        List<ImageEntry> entries = List.of(entry("a/page1_1.png"), loose, entry("b/other.png"), entry("b/page2.png"));
        assertEquals(2, byPage.countUnmatched(root, entries));
        // an optional group that took no part (or an empty match) groups nothing
        assertFalse(Grouping.byRegex("(page\\d+)?").covers(root, entry("a/foo.png")));
    }

    @Test
    void anInvalidRegexIsNamedWithTheProblem() {
        GraftException e = assertThrows(GraftException.class, () -> Grouping.byRegex("page(\\d+"));
        assertTrue(e.getMessage().contains("page(\\d+"), e.getMessage());
        assertTrue(e.getMessage().contains("Unclosed group"), e.getMessage());
        assertNotNull(e.hint());
        assertTrue(e.hint().contains("path,group"), e.hint());
    }

    @Test
    void noneMakesEveryImageItsOwnGroupAndCountsNothingAsUnmatched() {
        Grouping none = Grouping.none();
        assertTrue(none.isNone());
        assertEquals("a/page1.png", none.groupOf(root, entry("a/page1.png")));
        assertEquals(0, none.countUnmatched(root, List.of(entry("a/page1.png"), entry("a/page2.png"))));
    }

    @Test
    void csvGroupsByRelativeOrAbsolutePathAndLeavesUnlistedImagesAlone() throws Exception {
        Path csv = root.resolve("groups.csv");
        // a spreadsheet's byte-order mark, upper-case header, Windows separators, an absolute path
        Files.writeString(csv, "\uFEFFPath,Group\n"
                + "a/1.png,vol1\n"
                + "a\\2.png,vol1\n"
                + "\"" + root.resolve("b/3.png") + "\",vol2\n", StandardCharsets.UTF_8);
        Grouping g = Grouping.fromCsv(csv);
        assertEquals("vol1", g.groupOf(root, entry("a/1.png")));
        assertEquals("vol1", g.groupOf(root, entry("a/2.png")));
        assertEquals("vol2", g.groupOf(root, entry("b/3.png")));
        assertEquals("b/4.png", g.groupOf(root, entry("b/4.png")));
        assertEquals(1, g.countUnmatched(root, List.of(entry("a/1.png"), entry("b/3.png"), entry("b/4.png"))));
        assertTrue(g.describe().contains("groups.csv"), g.describe());
    }

    @Test
    void aBadCsvNamesTheFileAndTheExpectedHeader() throws Exception {
        Path missing = root.resolve("nope.csv");
        GraftException e = assertThrows(GraftException.class, () -> Grouping.fromCsv(missing));
        assertTrue(e.getMessage().contains("nope.csv") && e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.hint().contains("path,group"), e.hint());

        Path wrongHeader = Files.writeString(root.resolve("wrong.csv"), "file,volume\na/1.png,v1\n");
        e = assertThrows(GraftException.class, () -> Grouping.fromCsv(wrongHeader));
        assertTrue(e.getMessage().contains("wrong.csv") && e.getMessage().contains("[file, volume]"), e.getMessage());
        assertTrue(e.hint().contains("path,group"), e.hint());

        Path twice = Files.writeString(root.resolve("twice.csv"), "path,group\na/1.png,v1\na/1.png,v2\n");
        e = assertThrows(GraftException.class, () -> Grouping.fromCsv(twice));
        assertTrue(e.getMessage().contains("a/1.png") && e.getMessage().contains("v1")
                && e.getMessage().contains("v2"), e.getMessage());

        Path noGroup = Files.writeString(root.resolve("nogroup.csv"), "path,group\na/1.png,\n");
        e = assertThrows(GraftException.class, () -> Grouping.fromCsv(noGroup));
        assertTrue(e.getMessage().contains("a/1.png") && e.getMessage().contains("no group"), e.getMessage());

        Path short1 = Files.writeString(root.resolve("short.csv"), "path,group\na/1.png\n");
        e = assertThrows(GraftException.class, () -> Grouping.fromCsv(short1));
        assertTrue(e.getMessage().contains("short.csv") && e.getMessage().contains("Line 2"), e.getMessage());

        // a quote left open swallows the rest of the file: a clear BadDataException, not an internal error
        Path open = Files.writeString(root.resolve("open.csv"), "path,group\na/1.png,v1\n\"a/2.png,v1\na/3.png,v2\n");
        e = assertThrows(org.graft.common.BadDataException.class, () -> Grouping.fromCsv(open));
        assertTrue(e.getMessage().contains("open.csv") && e.getMessage().contains("line 3")
                && e.getMessage().contains("quoted"), e.getMessage());
        assertTrue(e.hint().contains("path,group"), e.hint());
    }

    /** On Linux a backslash is part of a name: the file's own relative path still finds its row. */
    @Test
    void aFileWithABackslashInItsNameFindsItsRow() throws Exception {
        Path csv = Files.writeString(root.resolve("b.csv"), "path,group\n\"a/x\\y.png\",v1\n");
        assertEquals("v1", Grouping.fromCsv(csv).groupOf(root, entry("a/x\\y.png")));
    }

    @Test
    void parseTakesAnExistingCsvFileElseARegex() throws Exception {
        Path csv = Files.writeString(root.resolve("g.csv"), "path,group\na/1.png,v9\n");
        assertEquals("v9", Grouping.parse(csv.toString()).groupOf(root, entry("a/1.png")));
        assertEquals("page3", Grouping.parse("page\\d+").groupOf(root, entry("a/page3.png")));
        assertTrue(Grouping.parse("").isNone());
        assertTrue(Grouping.parse(null).isNone());
        // a .csv that is not there is a typo, not a regex that would silently match nothing
        GraftException e = assertThrows(GraftException.class,
                () -> Grouping.parse(root.resolve("typo.csv").toString()));
        assertTrue(e.getMessage().contains("typo.csv"), e.getMessage());
    }

    @Test
    void groupsAreFoundForAScannedFolder() {
        TestImages.solid(root.resolve("data/x/issue1/p1.png"), 2, 2, Color.RED, "png");
        TestImages.solid(root.resolve("data/x/issue2/p1.png"), 2, 2, Color.RED, "png");
        TestImages.solid(root.resolve("data/y/issue1/p9.png"), 2, 2, Color.BLUE, "png");
        ImageFolder folder = ImageFolder.scanForTraining(root.resolve("data"));
        Grouping byIssue = Grouping.byRegex("^[^/]+/([^/]+)/");
        assertEquals(List.of("issue1", "issue2", "issue1"),
                folder.images().stream().map(e -> byIssue.groupOf(folder.root(), e)).toList());
    }
}
