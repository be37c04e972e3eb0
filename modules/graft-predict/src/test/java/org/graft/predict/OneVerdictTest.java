package org.graft.predict;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.graft.data.ImageBatchIterator;
import org.graft.data.ImageEntry;
import org.graft.data.ImageFolder;
import org.graft.data.ImageLoader;
import org.graft.data.OddFiles;
import org.graft.data.SkipLog;
import org.graft.data.SkippedImage;
import org.graft.model.ModelBundle;
import org.graft.model.TinyRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of an odd folder gets one verdict, the same in training and evaluation (the folder scan, then the
 * batches that decode it, as {@code skipped.csv} records them) and in prediction (its row): used, or skipped with
 * the very same reason; ignored files are in neither.
 */
class OneVerdictTest {
    @TempDir
    static Path tmp;
    static ModelBundle bundle;
    static Path data;
    static List<OddFiles.Odd> odds;

    @BeforeAll
    static void aModelAndAnOddFolder() throws Exception {
        Path zip = tmp.resolve("run/model.zip");
        Files.createDirectories(zip.getParent());
        TinyRuns.colourClassifier(List.of("blue", "green", "red")).save(zip);
        bundle = ModelBundle.load(tmp.resolve("run"));
        data = tmp.resolve("data");
        odds = OddFiles.write(data);
    }

    /** What train and evaluate make of each file: "used", or the reason it is listed in skipped.csv. */
    private static Map<Path, String> trainingVerdicts() {
        ImageFolder folder = ImageFolder.scan(data);
        SkipLog log = new SkipLog();
        log.addAll(folder.skipped());
        ImageBatchIterator it = ImageBatchIterator.builder().setImages(folder.images()).setLabels(folder.labels())
                .setLoader(new ImageLoader(bundle.description().preprocessing())).optBatchSize(3).optSkipLog(log)
                .build();
        Map<Path, String> verdicts = new TreeMap<>();
        while (it.hasNext()) {
            it.next().getExampleMetaData(String.class).forEach(p -> verdicts.put(Path.of(p), "used"));
        }
        for (SkippedImage s : log.all()) {
            verdicts.put(s.path(), s.reason());
        }
        for (ImageEntry e : folder.images()) {
            assertTrue(verdicts.containsKey(e.path()), "no verdict for " + e.path());
        }
        return verdicts;
    }

    /** What predict makes of each file: "used" (a label), or its error. */
    private static Map<Path, String> predictionVerdicts(List<Prediction> predictions) {
        Map<Path, String> verdicts = new TreeMap<>();
        for (Prediction p : predictions) {
            verdicts.put(p.path(), p.error() == null ? "used" : p.error());
        }
        return verdicts;
    }

    @Test
    void trainEvaluateAndPredictGiveEveryFileTheSameVerdict() throws Exception {
        Map<Path, String> training = trainingVerdicts();
        List<Path> inputs = Predictor.collectImages(data);
        List<Prediction> predictions = assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> new Predictor(bundle, 4).predict(inputs, 2, n -> { }), "a FIFO or a device must not hang");
        Map<Path, String> predicted = predictionVerdicts(predictions);
        assertEquals(training, predicted);

        List<String> wrong = new ArrayList<>();
        for (OddFiles.Odd odd : odds) {
            String verdict = predicted.get(odd.path());
            boolean ok = switch (odd.outcome()) {
                case USED -> "used".equals(verdict);
                case SKIPPED -> verdict != null && verdict.contains(odd.reason());
                case IGNORED -> verdict == null && predicted.keySet().stream().noneMatch(p -> p.startsWith(odd.path()));
            };
            if (!ok) {
                wrong.add(data.relativize(odd.path()) + ": expected " + odd.outcome() + ", got " + verdict);
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** One bad file costs no other file its row, and every path is written as it is on disk. */
    @Test
    void theCsvHasARowForEveryImageFileWithItsPathAsOnDisk() throws Exception {
        List<Path> inputs = Predictor.collectImages(data);
        List<Prediction> predictions = new Predictor(bundle, 8).predict(inputs, 2, n -> { });
        Path csv = tmp.resolve("p.csv");
        PredictionWriter.builder().optTopK(2).optBase(data).build().write(predictions, csv);
        List<CSVRecord> rows;
        try (Reader r = Files.newBufferedReader(csv)) {
            rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
        assertEquals(inputs.size(), rows.size());
        for (CSVRecord row : rows) {
            Path file = data.resolve(row.get("path"));
            boolean labelled = !row.get("label").isEmpty();
            assertTrue(labelled != !row.get("error").isEmpty(), "a label or an error: " + row);
            if (labelled) {
                assertTrue(Files.isRegularFile(file), "the row names a file that exists: " + row.get("path"));
            }
        }
        assertTrue(rows.stream().anyMatch(r -> r.get("path").equals("red/back\\slash.png")
                && !r.get("label").isEmpty()), "a backslash stays in the name");
        assertTrue(rows.stream().anyMatch(r -> r.get("path").equals("red/jp2-content.jpg")
                && r.get("error").contains("JPEG 2000")), "JPEG 2000 in a .jpg is one error row, not the end");
    }
}
