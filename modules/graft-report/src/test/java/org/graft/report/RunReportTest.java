package org.graft.report;

import org.graft.common.Json;
import org.graft.data.TestImages;
import org.graft.model.TinyRuns;
import org.graft.model.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReportTest {
    @TempDir
    Path tmp;

    @Test
    void reportShowsEveryPartWithTheRunsOwnNumbersAndNeedsNoNetwork() throws Exception {
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 10, 40, 5);
        Files.writeString(data.resolve("red/broken.png"), "not an image");
        TinyRuns.Run r = TinyRuns.write(tmp.resolve("run"), data);

        Path file = RunReport.write(r.folder().dir());
        String html = Files.readString(file);
        for (String section : RunReport.SECTIONS) {
            assertTrue(html.contains("<section id=\"" + section + "\">"), section);
        }
        // the confusion table holds exactly the counts in metrics.json
        @SuppressWarnings("unchecked")
        Map<String, Object> cm = (Map<String, Object>) Json.mapper()
                .readValue(r.folder().file(RunFolder.METRICS).toFile(), Map.class).get("confusionMatrix");
        @SuppressWarnings("unchecked")
        List<List<Integer>> matrix = (List<List<Integer>>) cm.get("matrix");
        List<String> labels = List.of("blue", "red");
        for (int t = 0; t < 2; t++) {
            for (int p = 0; p < 2; p++) {
                Matcher m = Pattern.compile("data-true=\"" + labels.get(t) + "\" data-predicted=\"" + labels.get(p)
                        + "\">(\\d+)</td>").matcher(html);
                assertTrue(m.find(), "cell " + t + "," + p);
                assertEquals((int) matrix.get(t).get(p), Integer.parseInt(m.group(1)));
            }
        }
        assertTrue(html.contains("broken.png") && html.contains("not a readable image"), "skipped file listed");
        assertTrue(html.contains("data:image/png;base64,"), "charts embedded");
        int thumbs = html.split("data:image/jpeg;base64,", -1).length - 1;
        assertTrue(thumbs >= Math.min(4, 12), "gallery thumbnails embedded: " + thumbs);
        assertTrue(html.contains(r.bundle().description().backbone().sha256()), "model card has the checksum");
        assertFalse(Pattern.compile("(src|href)=\"https?://").matcher(html).find(), "nothing fetched from the web");
    }
}
