package org.graft.cli;

import org.graft.backbone.TinyBackbone;
import org.graft.data.TestImages;
import org.graft.model.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A data set of a thousand classes of two images each (typefaces, glyphs, shelf marks): training, the report and
 * the console stay usable — the report is written and shows the largest confusions instead of a matrix nobody can
 * read, and what the console prints stays a few screens, not megabytes.
 */
abstract class LargeDataCheck {
    private static final String CHECK = "large data";
    /** Far more than a person reads, far less than the megabytes a full 1000x1000 matrix printed. */
    private static final int CONSOLE_LIMIT = 200_000;
    @TempDir
    Path tmp;
    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    abstract ReliabilityLedger ledger();

    @Test
    void aThousandClassesGiveAReportAndABoundedConsole() throws Exception {
        int classes = 1000;
        List<String> names = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(String.format("class_%04d", c));
            colours.add(new Color((c * 37) % 256, (c * 91) % 256, (c * 53) % 256));
        }
        Path data = TestImages.colourClasses(tmp.resolve("data"), names, colours, 2, 16, 3);
        Path tiny = Files.copy(TinyBackbone.file(), tmp.resolve("tiny.h5"));
        Path run = tmp.resolve("run");
        int code = GraftCli.run("train", "--data", data.toString(), "--backbone", tiny.toString(), "--preprocess",
                "KERAS_TF", "--size", "32", "--epochs", "1", "--out", run.toString(), "--no-progress", "--no-cache",
                "--no-duplicate-check");
        String printed = output.out() + output.err();
        ledger().record(CHECK, "train on 1000 classes of 2 images", "trained, report written", code == 0
                && Files.isRegularFile(run.resolve(RunFolder.REPORT)) ? "trained, report written"
                : "exit " + code + ": " + output.err());
        ledger().record(CHECK, "what train prints for 1000 classes", "bounded", printed.length() < CONSOLE_LIMIT
                ? "bounded" : printed.length() + " characters");
        String report = code == 0 ? Files.readString(run.resolve(RunFolder.REPORT)) : "";
        ledger().record(CHECK, "the report of 1000 classes", "largest confusions, no matrix",
                report.contains("id=\"top-confusions\"") && !report.contains("id=\"confusion-matrix\"")
                        ? "largest confusions, no matrix" : "other");
        output.resetErr();
        int evaluate = GraftCli.run("evaluate", "--model", run.toString());
        ledger().record(CHECK, "what evaluate prints for 1000 classes", "bounded", evaluate == 0
                && output.out().length() < CONSOLE_LIMIT ? "bounded" : "exit " + evaluate + ", "
                + output.out().length() + " characters");
        assertEquals(List.of(), ledger().failures(CHECK), "large data sets stay usable");
    }
}
