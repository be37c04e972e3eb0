package org.graft.predict;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.graft.common.GraftException;
import org.graft.data.TestImages;
import org.graft.model.ModelBundle;
import org.graft.model.TinyRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Color;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictorTest {
    @TempDir
    static Path tmp;
    static ModelBundle bundle;

    /** The shared colour classifier, through a model.zip and back (as graft predict reads one). */
    @BeforeAll
    static void aTinyModel() throws Exception {
        Path zip = tmp.resolve("run/model.zip");
        java.nio.file.Files.createDirectories(zip.getParent());
        TinyRuns.colourClassifier(List.of("blue", "green", "red")).save(zip);
        bundle = ModelBundle.load(tmp.resolve("run"));
    }

    @Test
    void everyImageGetsARowAndUnreadableOnesSayWhy() throws Exception {
        Path input = tmp.resolve("new");
        TestImages.solid(input.resolve("a red one.png"), 40, 40, Color.RED, "png");
        TestImages.solid(input.resolve("sub/파랑.jpg"), 50, 30, Color.BLUE, "jpg");
        Files.writeString(input.resolve("broken.png"), "not an image");
        List<Path> images = Predictor.collectImages(input);
        assertEquals(3, images.size());

        List<Prediction> predictions = new Predictor(bundle, 2).predict(images, 3, n -> { });
        Path csv = tmp.resolve("predictions.csv");
        PredictionWriter.builder().optTopK(3).optBase(input).optReviewBelow(0.5).build().write(predictions, csv);

        List<CSVRecord> rows;
        try (Reader r = Files.newBufferedReader(csv)) {
            rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
        assertEquals(3, rows.size());
        assertEquals(List.of("path", "label", "probability", "margin", "needs_review", "label_2", "probability_2",
                "label_3", "probability_3", "error"), rows.get(0).getParser().getHeaderNames());
        assertTrue(rows.stream().anyMatch(r -> r.get("path").equals("sub/파랑.jpg")), "sub-folders mirrored");
        CSVRecord broken = rows.stream().filter(r -> r.get("path").endsWith("broken.png")).findFirst().orElseThrow();
        assertEquals("", broken.get("label"));
        assertEquals("true", broken.get("needs_review"), "an unreadable image needs a person");
        assertTrue(broken.get("error").contains("not a readable image"), broken.get("error"));
        CSVRecord red = rows.stream().filter(r -> r.get("path").endsWith("a red one.png")).findFirst().orElseThrow();
        assertEquals("red", red.get("label"));
        double sum = Double.parseDouble(red.get("probability")) + Double.parseDouble(red.get("probability_2"))
                + Double.parseDouble(red.get("probability_3"));
        assertEquals(1.0, sum, 1e-4, "top 3 of 3 classes cover all the probability");
        assertTrue(Double.parseDouble(red.get("probability")) >= Double.parseDouble(red.get("probability_2")));
        assertEquals(Double.parseDouble(red.get("probability")) - Double.parseDouble(red.get("probability_2")),
                Double.parseDouble(red.get("margin")), 1e-5);
        assertEquals(String.valueOf(Double.parseDouble(red.get("probability")) < 0.5), red.get("needs_review"));
        CSVRecord blue = rows.stream().filter(r -> r.get("path").endsWith("파랑.jpg")).findFirst().orElseThrow();
        assertEquals("blue", blue.get("label"));
    }

    @Test
    void jsonLinesCarryTheSameAnswers() throws Exception {
        Path one = TestImages.solid(tmp.resolve("j/one.png"), 40, 40, Color.RED, "png");
        Path bad = Files.writeString(tmp.resolve("j/bad.jpg"), "nope");
        List<Prediction> predictions = new Predictor(bundle, 8).predict(List.of(one, bad), 3, n -> { });
        Path jsonl = tmp.resolve("p.jsonl");
        PredictionWriter.builder().optFormat(PredictionWriter.Format.JSONL).optReviewBelow(1.01)
                .optBase(tmp.resolve("j")).build().write(predictions, jsonl);
        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(2, lines.size());
        var first = org.graft.common.Json.mapper().readTree(lines.get(0));
        assertEquals("one.png", first.get("path").asText());
        assertEquals("red", first.get("label").asText());
        assertEquals(3, first.get("top").size());
        assertTrue(first.get("needs_review").asBoolean(), "everything is below 1.01");
        var second = org.graft.common.Json.mapper().readTree(lines.get(1));
        assertTrue(second.get("error").asText().contains("not a readable image"));
    }

    @Test
    void aSingleFileAndAMissingInput() {
        Path one = TestImages.solid(tmp.resolve("one.png"), 40, 40, Color.GREEN, "png");
        assertEquals(List.of(one), Predictor.collectImages(one));
        assertEquals("green", new Predictor(bundle, 8).predict(List.of(one), 1, n -> { }).get(0).label());
        GraftException e = assertThrows(GraftException.class, () -> Predictor.collectImages(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    /**
     * Weights that are finite but huge (they pass the bundle's checks) overflow on bright images: those rows say so
     * and need review, instead of ranking NaN as a class; a black image, whose features stay zero, still gets its
     * answer.
     */
    @Test
    void anOverflowingModelGivesThoseImagesAnErrorNotANaNLabel() throws Exception {
        ModelBundle overflowing = TinyRuns.colourClassifier(List.of("blue", "green", "red"));
        overflowing.graph().getLayer("conv1").setParam("W", Nd4j.eye(3).muli(3e38f).reshape(3, 3, 1, 1));
        Path red = TestImages.solid(tmp.resolve("o/red.png"), 40, 40, Color.RED, "png");
        Path black = TestImages.solid(tmp.resolve("o/black.png"), 40, 40, Color.BLACK, "png");

        List<Prediction> predictions = new Predictor(overflowing, 8).predict(List.of(red, black), 3, n -> { });

        Prediction bright = predictions.get(0);
        assertEquals("", bright.label());
        assertTrue(bright.needsReview(0.0), "an image without an answer needs a person");
        assertTrue(bright.error().contains("no valid probabilities"), bright.error());
        Prediction dark = predictions.get(1);
        assertNull(dark.error());
        assertEquals(1.0, dark.ranked().stream().mapToDouble(Prediction.Ranked::probability).sum(), 1e-4);
        Path csv = tmp.resolve("overflow.csv");
        PredictionWriter.builder().optBase(tmp.resolve("o")).build().write(predictions, csv);
        List<CSVRecord> rows;
        try (Reader r = Files.newBufferedReader(csv)) {
            rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
        assertEquals(List.of("", "true"), List.of(rows.get(0).get("probability"), rows.get(0).get("needs_review")),
                "no NaN probability reaches the predictions file");
        assertFalse(rows.get(1).get("probability").isEmpty());
    }
}
