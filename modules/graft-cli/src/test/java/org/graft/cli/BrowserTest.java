package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.common.Json;
import org.graft.data.TestImages;
import org.graft.report.RunReport;
import org.graft.train.TrainingConfig;
import org.graft.train.TrainingJob;
import org.graft.train.TrainingResult;
import org.graft.train.TrainingUi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a person sees, checked in headless Chromium: the live training UI draws its score chart, and the run
 * report shows the right confusion counts with every gallery image loaded. Screenshots are kept in
 * target/screenshots.
 */
class BrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    @TempDir
    static Path tmp;
    static String chromium;
    static TrainingResult run;
    static TrainingUi ui;

    @BeforeAll
    static void trainWithTheUi() throws Exception {
        chromium = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        if (chromium == null) {
            System.err.println("Skipped: the browser tests need Chromium (Debian: apt-get install chromium)");
            return;
        }
        Files.createDirectories(SCREENSHOTS);
        Path data = TestImages.colourClasses(tmp.resolve("data"), List.of("blue", "red"),
                List.of(Color.BLUE, Color.RED), 12, 40, 6);
        ui = TrainingUi.start(TrainingUi.DEFAULT_HOST, TrainingUi.DEFAULT_PORT);
        run = TrainingJob.builder().setTrainData(data).setBackbone(TinyBackbone.load(tmp.resolve("cache")))
                .setRunDir(tmp.resolve("run")).optUi(ui)
                .optConfig(TrainingConfig.builder().optEpochs(4).optBatchSize(4).optLearningRate(0.01).build())
                .build().run();
        RunReport.write(run.runDir());
        Thread.sleep(2000); // the UI processes its statistics queue asynchronously
    }

    @AfterAll
    static void stopUi() {
        if (ui != null) {
            ui.close();
        }
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, "Skipped: needs Chromium (Debian: apt-get install chromium)");
    }

    /** The page's DOM after its scripts ran, and a screenshot of it. */
    private static String browse(String url, String screenshot) throws Exception {
        List<String> common = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + tmp.resolve("chromium-" + screenshot), "--window-size=1200,1600",
                "--virtual-time-budget=15000");
        List<String> shot = new ArrayList<>(common);
        shot.add("--screenshot=" + SCREENSHOTS.resolve(screenshot).toAbsolutePath());
        shot.add(url);
        run(shot);
        List<String> dom = new ArrayList<>(common);
        dom.add("--dump-dom");
        dom.add(url);
        return run(dom);
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "chromium finished");
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void trainingUiDrawsTheScoreChart() throws Exception {
        String dom = browse("http://127.0.0.1:" + TrainingUi.DEFAULT_PORT + "/train/overview", "ui-overview.png");
        Matcher chart = Pattern.compile("id=\"scoreiterchart\"[^>]*>(.*?)</div>\\s*</div>", Pattern.DOTALL)
                .matcher(dom);
        assertTrue(dom.contains("id=\"scoreiterchart\""), "the overview page has its score chart");
        assertTrue(chart.find() && chart.group(1).contains("<canvas"), "the score chart was drawn");
        assertTrue(Files.size(SCREENSHOTS.resolve("ui-overview.png")) > 10_000, "screenshot kept");
    }

    @Test
    void theUiListensOnLoopbackOnly() throws Exception {
        // read the kernel's socket table instead of probing another address (no traffic leaves loopback)
        List<String> listening = new ArrayList<>();
        String port = String.format(":%04X ", TrainingUi.DEFAULT_PORT);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path f = Path.of(table);
            assumeTrue(Files.isReadable(f), "needs Linux's /proc/net");
            for (String line : Files.readAllLines(f)) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 3 && (cols[1] + " ").endsWith(port) && cols[3].equals("0A")) {
                    listening.add(cols[1].substring(0, cols[1].indexOf(':')));
                }
            }
        }
        assertTrue(!listening.isEmpty(), "the UI is listening");
        for (String address : listening) {
            assertTrue(address.equals("0100007F") || address.equals("0000000000000000FFFF00000100007F")
                    || address.equals("00000000000000000000000001000000"), "loopback only, got " + address);
        }
    }

    @Test
    void reportShowsTheConfusionCountsAndLoadsEveryImage() throws Exception {
        Path report = run.runDir().resolve(RunReport.FILE_NAME);
        String dom = browse(report.toUri().toString(), "report.png");
        Matcher loaded = Pattern.compile("data-images-total=\"(\\d+)\" data-images-loaded=\"(\\d+)\"|"
                + "data-images-loaded=\"(\\d+)\" data-images-total=\"(\\d+)\"").matcher(dom);
        assertTrue(loaded.find(), "the page's load handler ran");
        int total = Integer.parseInt(loaded.group(1) != null ? loaded.group(1) : loaded.group(4));
        int ok = Integer.parseInt(loaded.group(2) != null ? loaded.group(2) : loaded.group(3));
        assertTrue(total >= 3, "charts and gallery images: " + total);
        assertEquals(total, ok, "every image in the report decoded");

        @SuppressWarnings("unchecked")
        Map<String, Object> cm = (Map<String, Object>) Json.mapper()
                .readValue(run.runDir().resolve("metrics.json").toFile(), Map.class).get("confusionMatrix");
        @SuppressWarnings("unchecked")
        List<List<Integer>> matrix = (List<List<Integer>>) cm.get("matrix");
        List<String> labels = List.of("blue", "red");
        for (int t = 0; t < 2; t++) {
            for (int p = 0; p < 2; p++) {
                Matcher cell = Pattern.compile("data-true=\"" + labels.get(t) + "\" data-predicted=\""
                        + labels.get(p) + "\">(\\d+)</td>").matcher(dom);
                assertTrue(cell.find(), "confusion cell " + t + "," + p + " rendered");
                assertEquals((int) matrix.get(t).get(p), Integer.parseInt(cell.group(1)));
            }
        }
    }
}
