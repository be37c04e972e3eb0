package org.graft.data;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
}
