package org.graft.spark;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.graft.predict.Prediction;
import org.graft.predict.PredictionWriter;
import org.graft.predict.Predictor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distributed prediction on Spark local[2] gives what {@code graft predict} gives on one machine: the same rows,
 * labels and probabilities (to 1e-5), in the same CSV columns, with unreadable images as error rows.
 */
class SparkPredictTest {
    static Path input;
    static Path run;
    /** Graft's single-machine answer, as PredictionWriter writes it, by relative path. */
    static Map<String, CSVRecord> expected;
    static Map<String, Prediction> expectedPredictions;
    static List<String> expectedHeader;

    @BeforeAll
    static void singleMachineAnswer() throws Exception {
        run = SparkFixtures.run();
        input = SparkFixtures.root().resolve("archive");
        // a messy little archive: class images in nested folders, odd names, damaged files, a non-image
        try (Stream<Path> files = Files.walk(SparkFixtures.data())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = SparkFixtures.data().relativize(f);
                if (rel.getFileName().toString().compareTo("img_006") < 0) {
                    Path target = input.resolve("box 1").resolve(rel);
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target);
                }
            }
        }
        TestImages.solid(input.resolve("서고/파랑 (1).jpg"), 50, 30, Color.BLUE, "jpg");
        TestImages.solid(input.resolve("a red one.png"), 40, 40, Color.RED, "png");
        TestImages.solid(input.resolve("deep/er/still/green.bmp"), 33, 47, Color.GREEN, "bmp");
        Files.writeString(input.resolve("broken.png"), "not an image");
        Files.write(input.resolve("empty.jpg"), new byte[0]);
        Files.writeString(input.resolve("notes.txt"), "not an image name: ignored");

        List<Path> images = Predictor.collectImages(input);
        assertEquals(3 * 6 + 5, images.size());
        List<Prediction> predictions = new Predictor(ModelBundle.load(run), 8).predict(images, 3, n -> { });
        Path csv = SparkFixtures.root().resolve("single-machine.csv");
        PredictionWriter.builder().optTopK(3).optBase(input).build().write(predictions, csv);
        List<CSVRecord> rows = readCsv(List.of(csv));
        expectedHeader = rows.get(0).getParser().getHeaderNames();
        expected = new HashMap<>();
        rows.forEach(r -> expected.put(r.get("path"), r));
        expectedPredictions = new HashMap<>();
        predictions.forEach(p -> expectedPredictions.put(input.relativize(p.path()).toString(), p));
    }

    @Test
    void csvOnSparkMatchesSingleMachinePrediction() throws Exception {
        Path out = SparkFixtures.root().resolve("predictions-csv");
        SparkFixtures.spark();
        int code = SparkPredict.run("--model", run.toString(), "--input", input.toUri().toString(),
                "--out", out.toString(), "--partitions", "3", "--batch", "4");
        assertEquals(0, code);
        List<Path> parts;
        try (Stream<Path> files = Files.list(out)) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        assertEquals(3, parts.size(), "one CSV file per partition");
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        List<CSVRecord> rows = readCsv(parts);
        assertEquals(expectedHeader, rows.get(0).getParser().getHeaderNames(), "PredictionWriter's columns");
        assertEquals(expected.size(), rows.size(), "one row per image, none lost, none twice");
        for (CSVRecord row : rows) {
            CSVRecord want = expected.get(row.get("path"));
            assertNotNull(want, "unexpected path " + row.get("path") + " (expected " + expected.keySet() + ")");
            for (String column : expectedHeader) {
                if (PredictionSchema.isNumber(column) && !want.get(column).isEmpty()) {
                    assertEquals(Double.parseDouble(want.get(column)), Double.parseDouble(row.get(column)), 1e-5,
                            row.get("path") + " " + column);
                } else {
                    assertEquals(want.get(column), row.get(column), row.get("path") + " " + column);
                }
            }
        }
        CSVRecord broken = rows.stream().filter(r -> r.get("path").equals("broken.png")).findFirst().orElseThrow();
        assertTrue(broken.get("error").contains("not a readable image"), broken.get("error"));
        assertEquals("true", broken.get("needs_review"));
        CSVRecord empty = rows.stream().filter(r -> r.get("path").equals("empty.jpg")).findFirst().orElseThrow();
        assertEquals("the file is empty", empty.get("error"));
        assertEquals("blue", rows.stream().filter(r -> r.get("path").equals("서고/파랑 (1).jpg")).findFirst()
                .orElseThrow().get("label"));
    }

    @Test
    void probabilitiesEqualSingleMachineToOneInHundredThousand() {
        List<Row> rows = SparkPredict.predictions(SparkFixtures.spark(), run.toString(), input.toString(), 2, 5, 3,
                0.5, null, null).collectAsList();
        assertEquals(expectedPredictions.size(), rows.size());
        int compared = 0;
        for (Row row : rows) {
            Prediction want = expectedPredictions.get(row.getString(row.fieldIndex("path")));
            assertNotNull(want, row.toString());
            if (want.error() != null) {
                assertNull(row.get(row.fieldIndex("label")));
                assertEquals(want.error(), row.getString(row.fieldIndex("error")));
                continue;
            }
            assertNull(row.get(row.fieldIndex("error")));
            assertEquals(want.label(), row.getString(row.fieldIndex("label")));
            assertEquals(want.probability(), row.getDouble(row.fieldIndex("probability")), 1e-5);
            assertEquals(want.margin(), row.getDouble(row.fieldIndex("margin")), 1e-5);
            for (int i = 1; i < 3; i++) {
                assertEquals(want.ranked().get(i).label(), row.getString(row.fieldIndex("label_" + (i + 1))));
                assertEquals(want.ranked().get(i).probability(),
                        row.getDouble(row.fieldIndex("probability_" + (i + 1))), 1e-5);
            }
            compared++;
        }
        assertEquals(expectedPredictions.size() - 2, compared, "all but the two unreadable files");
        // as graft predict: no more class columns than the model has classes
        assertEquals(PredictionSchema.columns(3), List.of(SparkPredict.predictions(SparkFixtures.spark(),
                run.toString(), input.toString(), 2, 4, 5, 0.5, null, null).columns()));
    }

    @Test
    void parquetKeepsTheNumbersTypedAndFeaturesHaveTheHeadsInputSize() throws Exception {
        Path out = SparkFixtures.root().resolve("predictions-parquet");
        SparkFixtures.spark();
        assertEquals(0, SparkPredict.run("--model", run.resolve("model.zip").toString(), "--input", input.toString(),
                "--out", out.toString(), "--format", "parquet", "--partitions", "2"));
        List<Row> rows = SparkFixtures.spark().read().parquet(out.toString()).collectAsList();
        assertEquals(expectedPredictions.size(), rows.size());
        Row red = rows.stream().filter(r -> r.getString(r.fieldIndex("path")).equals("a red one.png")).findFirst()
                .orElseThrow();
        assertEquals("red", red.getString(red.fieldIndex("label")));
        assertEquals(expectedPredictions.get("a red one.png").probability(),
                red.getDouble(red.fieldIndex("probability")), 1e-5);

        // the output exists now: refused without --overwrite
        assertEquals(2, SparkPredict.run("--model", run.toString(), "--input", input.toString(), "--out",
                out.toString(), "--format", "parquet"));

        Path features = SparkFixtures.root().resolve("features-csv");
        assertEquals(0, SparkPredict.run("--model", run.toString(), "--input", input.toString(), "--out",
                features.toString(), "--mode", "features", "--partitions", "2"));
        List<Path> parts;
        try (Stream<Path> files = Files.list(features)) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
        }
        List<CSVRecord> rowsCsv = readCsv(parts);
        long size = FeatureGraphs.featureSize(ModelBundle.load(run).graph());
        List<String> header = rowsCsv.get(0).getParser().getHeaderNames();
        assertEquals(size + 2, header.size(), "path, f_0..f_" + (size - 1) + ", error");
        assertEquals("f_0", header.get(1));
        assertEquals(expectedPredictions.size(), rowsCsv.size());
        CSVRecord broken = rowsCsv.stream().filter(r -> r.get("path").equals("broken.png")).findFirst().orElseThrow();
        assertFalse(broken.get("error").isEmpty());
    }

    static List<CSVRecord> readCsv(List<Path> files) throws Exception {
        List<CSVRecord> all = new ArrayList<>();
        for (Path f : files) {
            try (Reader r = Files.newBufferedReader(f)) {
                all.addAll(CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)
                        .getRecords());
            }
        }
        return all;
    }
}
