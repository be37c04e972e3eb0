package org.graft.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ImageBatchIteratorTest {
    @TempDir
    Path tmp;

    @Test
    void batchesCarryOneHotLabelsAndPathsAndSkipUnreadableFiles() throws Exception {
        List<ImageEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(new ImageEntry(TestImages.solid(tmp.resolve("a/" + i + ".png"), 4, 4, Color.RED, "png"), "a"));
            entries.add(new ImageEntry(TestImages.solid(tmp.resolve("b/" + i + ".png"), 4, 4, Color.BLUE, "png"), "b"));
        }
        Path broken = Files.write(tmp.resolve("b/broken.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'});
        entries.add(new ImageEntry(broken, "b"));
        SkipLog skipLog = new SkipLog();
        ImageBatchIterator it = ImageBatchIterator.builder().setImages(entries).setLabels(List.of("a", "b"))
                .setLoader(new ImageLoader(Preprocessing.kerasTf(4, Preprocessing.Layout.NCHW)))
                .optBatchSize(4).optSkipLog(skipLog).build();
        int seen = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            assertArrayEquals(new long[]{ds.numExamples(), 3, 4, 4}, ds.getFeatures().shape());
            for (int i = 0; i < ds.numExamples(); i++) {
                String path = (String) ds.getExampleMetaData().get(i);
                int label = ds.getLabels().getRow(i).argMax().getInt(0);
                assertEquals(path.contains("/a/") ? 0 : 1, label, path);
                float red = ds.getFeatures().getFloat(i, 0, 0, 0);
                assertEquals(label == 0 ? 1f : -1f, red, 1e-6, "the red channel tells the class apart");
            }
            seen += ds.numExamples();
        }
        assertEquals(10, seen);
        assertEquals(1, skipLog.size());
        assertEquals(broken, skipLog.all().get(0).path());
    }

    @Test
    void shuffleIsSeededAndChangesPerEpoch() {
        List<ImageEntry> entries = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            entries.add(new ImageEntry(TestImages.solid(tmp.resolve("a/" + i + ".png"), 2, 2, Color.RED, "png"), "a"));
        }
        ImageBatchIterator.Builder b = ImageBatchIterator.builder().setImages(entries).setLabels(List.of("a"))
                .setLoader(new ImageLoader(Preprocessing.kerasTf(2, Preprocessing.Layout.NCHW))).optBatchSize(12)
                .optShuffle(5);
        ImageBatchIterator one = b.build();
        ImageBatchIterator two = b.build();
        List<java.io.Serializable> first = one.next().getExampleMetaData();
        assertEquals(first, two.next().getExampleMetaData(), "same seed, same order");
        one.reset();
        assertNotEquals(first, one.next().getExampleMetaData(), "a new order each epoch");
    }
}
