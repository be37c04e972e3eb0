package org.graft.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.graft.common.AtomicFiles;
import org.graft.common.DamagedFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every image a run could not use, with the reason: warned about once and written to {@code skipped.csv} in the
 * run folder, so that nothing a user hands over disappears unnoticed.
 */
public final class SkipLog {
    private static final Logger log = LoggerFactory.getLogger(SkipLog.class);
    public static final String FILE_NAME = "skipped.csv";

    private final Map<Path, String> skipped = new ConcurrentSkipListMap<>();

    public void add(SkippedImage s) {
        if (skipped.putIfAbsent(s.path(), s.reason()) == null) {
            log.warn("Skipping {}: {}", s.path(), s.reason());
        }
    }

    public void addAll(List<SkippedImage> all) {
        all.forEach(this::add);
    }

    public List<SkippedImage> all() {
        List<SkippedImage> out = new ArrayList<>();
        skipped.forEach((p, r) -> out.add(new SkippedImage(p, r)));
        return out;
    }

    public int size() {
        return skipped.size();
    }

    /** Reads a skipped.csv back (the report lists it). */
    public static List<SkippedImage> read(Path file) {
        List<SkippedImage> out = new ArrayList<>();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             var csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (var row : csv) {
                out.add(new SkippedImage(Path.of(row.get("path")), row.get("reason")));
            }
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            throw new DamagedFileException("Could not read " + file + ": " + e.getMessage(),
                    "It should be the " + FILE_NAME + " that Graft wrote; train or evaluate again to rewrite it.", e);
        }
        return out;
    }

    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (CSVPrinter csv = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader("path", "reason").build())) {
                for (SkippedImage s : all()) {
                    csv.printRecord(s.path(), s.reason());
                }
            }
        });
    }
}
