package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.common.Json;
import org.graft.data.TestImages;
import org.graft.model.run.RunFolder;
import org.graft.train.Mode;
import org.graft.train.TrainingConfig;
import org.graft.train.TrainingRecipe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training options of issue 8 as a user types them: groups, folds, reruns, near-duplicates, mistakes. */
class TrainingRecipeCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    /** Two classes of 4 "pages" with 3 cut-outs each: page3_cut1.png and so on. */
    @BeforeAll
    static void data() throws Exception {
        Path plain = TestImages.colourClasses(tmp.resolve("plain"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 12, 40, 5);
        data = tmp.resolve("pages");
        for (String label : List.of("blue", "red")) {
            Files.createDirectories(data.resolve(label));
            try (var files = Files.list(plain.resolve(label))) {
                List<Path> images = files.sorted().toList();
                for (int i = 0; i < images.size(); i++) {
                    Files.copy(images.get(i), data.resolve(label).resolve("page" + (i / 3) + "_cut" + (i % 3)
                            + ".png"));
                }
            }
        }
    }

    private List<String> args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--backbone",
                TinyBackbone.file().toString(), "--preprocess", "KERAS_TF", "--size", "32", "--epochs", "2",
                "--lr", "0.01", "--batch", "8", "--out", out.toString(), "--no-progress", "--no-cache"));
        a.addAll(List.of(more));
        return a;
    }

    private int graft(List<String> args) {
        return GraftCli.run(args.toArray(new String[0]));
    }

    @Test
    void groupsStayWholeAndARerunReproducesTheRun() throws Exception {
        Path run = tmp.resolve("runs/grouped");
        assertEquals(0, graft(args(run, "--group-by", "page\\d+", "--mode", "finetune", "--head-epochs", "1",
                "--augment", "--class-weights", "auto")), output.err());
        // no page on both sides of the split
        Map<String, String> sideOfPage = new HashMap<>();
        for (String line : Files.readAllLines(run.resolve("split.csv")).subList(1,
                Files.readAllLines(run.resolve("split.csv")).size())) {
            String[] f = line.split(",");
            String page = f[1] + "/" + f[2].replaceAll(".*(page\\d+).*", "$1");
            String before = sideOfPage.putIfAbsent(page, f[0]);
            assertTrue(before == null || before.equals(f[0]), "page " + page + " straddles the split");
        }
        assertTrue(output.out().contains("groups kept whole"), output.out());
        String report = Files.readString(run.resolve("report.html"));
        assertTrue(report.contains("id=\"augmentation\""), "the report shows augmented samples");
        assertTrue(report.contains("each group wholly on one side"), "the report says how images were grouped");

        assertEquals(0, graft(List.of("train", "--rerun", run.toString(), "--no-progress")), output.err());
        assertTrue(output.out().contains("Rerun reproduces"), output.out());
        assertTrue(Files.isRegularFile(tmp.resolve("runs/grouped-rerun/model.zip")));
    }

    @Test
    void duplicatesAcrossTheSplitAreWarnedAbout() throws Exception {
        // without --group-by, two scans of each page land on both sides: pictures with shapes, each saved twice
        Path dup = tmp.resolve("dups");
        java.util.Random random = new java.util.Random(3);
        for (String label : List.of("blue", "red")) {
            Files.createDirectories(dup.resolve(label));
            for (int page = 0; page < 6; page++) {
                var img = new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
                var g = img.createGraphics();
                g.setColor(label.equals("blue") ? Color.BLUE : Color.RED);
                g.fillRect(0, 0, 64, 64);
                for (int s = 0; s < 4; s++) {
                    g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
                    g.fillOval(random.nextInt(48), random.nextInt(48), 8 + random.nextInt(24), 8 + random.nextInt(24));
                }
                g.dispose();
                for (int copy = 0; copy < 2; copy++) {
                    javax.imageio.ImageIO.write(img, "png", dup.resolve(label).resolve("p" + page + "_" + copy + ".png")
                            .toFile());
                }
            }
        }
        Path run = tmp.resolve("runs/dups");
        List<String> a = args(run);
        a.set(a.indexOf(data.toString()), dup.toString());
        assertEquals(0, graft(a), output.err());
        assertTrue(output.out().contains("near-duplicates of training images"), output.out());
        assertTrue(Files.readAllLines(run.resolve("near-duplicates.csv")).size() > 1);
        assertTrue(Files.readString(run.resolve("report.html")).contains("id=\"near-duplicates\""));
    }

    @Test
    void foldsReportMeanAndStandardDeviation() throws Exception {
        Path run = tmp.resolve("runs/folds");
        assertEquals(0, graft(args(run, "--folds", "3", "--group-by", "page\\d+")), output.err());
        assertTrue(output.out().contains("3-fold cross-validation: accuracy"), output.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = Json.mapper().readValue(run.resolve("folds.json").toFile(), Map.class);
        assertEquals(3, ((List<?>) summary.get("folds")).size());
        for (int k = 1; k <= 3; k++) {
            assertTrue(Files.isRegularFile(run.resolve("fold-" + k).resolve("model.zip")));
        }
    }

    @Test
    void mistakesInTheNewOptionsAreExplained() {
        Path run = tmp.resolve("runs/bad");
        assertEquals(2, graft(args(run, "--unfreeze", "some")));
        assertTrue(output.err().contains("--unfreeze"), output.err());
        assertEquals(2, graft(args(run, "--augment", "mirror")));
        assertTrue(output.err().contains("mirror"), output.err());
        assertEquals(2, graft(args(run, "--group-by", "page(")));
        assertTrue(output.err().contains("page("), output.err());
        assertEquals(2, graft(args(run, "--class-weights", "green=2")));
        assertTrue(output.err().contains("green"), output.err());
        assertEquals(2, graft(args(run, "--schedule", "linear")));
        assertTrue(output.err().contains("cosine"), output.err());
        assertEquals(2, graft(List.of("train", "--rerun", tmp.toString())));
        assertTrue(output.err().contains(RunFolder.RECIPE), output.err());
        assertFalse(output.err().contains("\tat "), "no stack trace");
    }

    @Test
    void resumeTakesItsRecipeFromTheRunAndOnlyALongerEpochs() throws Exception {
        Path run = tmp.resolve("runs/resumable");
        assertEquals(0, graft(args(run)), output.err());
        assertEquals(2, RunFolder.at(run).readHistory().size());

        // an option that would change the recipe is refused, naming it; nothing is trained
        assertEquals(2, graft(List.of("train", "--resume", run.toString(), "--lr", "0.1", "--no-progress")));
        assertTrue(output.err().contains("--lr") && output.err().contains("--resume"), output.err());
        assertEquals(2, graft(List.of("train", "--resume", run.toString(), "--epochs", "1", "--no-progress")));
        assertTrue(output.err().contains("fewer"), output.err());
        assertEquals(2, RunFolder.at(run).readHistory().size());

        // a longer --epochs trains on from the last epoch, and the recipe says so
        assertEquals(0, graft(List.of("train", "--resume", run.toString(), "--epochs", "4", "--no-progress")),
                output.err());
        var history = RunFolder.at(run).readHistory();
        assertEquals(List.of(1, 2, 3, 4), history.stream().map(e -> e.epoch()).toList());
        assertEquals(4, TrainingRecipe.read(RunFolder.at(run), "read").config().epochs());
        assertEquals(4, RunFolder.at(run).readDescription().training().epochs());
    }

    @Test
    void theHelpShowsTheLibrarysDefaults() {
        assertEquals(0, graft(List.of("train", "--help")));
        String help = output.out().replaceAll("\\s+", " ");
        TrainingConfig d = TrainingConfig.defaults();
        assertTrue(help.contains("(default: " + d.epochs() + ")"), help);
        assertTrue(help.contains("(default: " + d.learningRate() + ")"), help);
        assertTrue(help.contains("(default: " + d.batchSize() + ")"), help);
        assertTrue(help.contains("(default: " + d.monitor().cliName() + ")"), help);
        // the defaults that depend on the mode are described in words: they must say what the builder does
        TrainingConfig finetune = TrainingConfig.builder().optMode(Mode.FINETUNE).build();
        assertTrue(help.contains("default: " + finetune.schedule().cliName() + " for finetune, "
                + d.schedule().cliName() + " for transfer"), help);
        assertTrue(help.contains("default: " + finetune.warmupEpochs() + " for finetune, " + d.warmupEpochs()
                + " for transfer"), help);
    }
}
