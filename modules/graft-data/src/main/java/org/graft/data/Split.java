package org.graft.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.graft.common.AtomicFiles;
import org.graft.common.GraftException;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A train/validation split of labelled images, and its manifest file ({@code split.csv}).
 *
 * <p>The split is stratified (each class is split in the same proportion) and seeded (the same folder and seed
 * always give the same split), so that a result can be reproduced and compared.
 */
public record Split(ImageFolder train, ImageFolder validation) {

    public static final String MANIFEST_NAME = "split.csv";

    /**
     * Splits one folder: per class, shuffles with the seed and sends {@code validationFraction} of its images
     * (at least one, if the class has two or more) to validation.
     */
    public static Split stratified(ImageFolder folder, double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new GraftException("The validation fraction must be between 0 and 1, got " + validationFraction,
                    "Use e.g. --val-fraction 0.2.");
        }
        Map<String, List<ImageEntry>> byLabel = new TreeMap<>();
        for (ImageEntry e : folder.images()) {
            byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e);
        }
        Random random = new Random(seed);
        List<ImageEntry> train = new ArrayList<>();
        List<ImageEntry> val = new ArrayList<>();
        for (List<ImageEntry> entries : byLabel.values()) {
            // folder.images() is sorted by path, so the shuffle depends only on the seed
            Collections.shuffle(entries, random);
            int n = entries.size();
            int nVal = (int) Math.round(n * validationFraction);
            if (n >= 2) {
                nVal = Math.max(1, Math.min(n - 1, nVal));
            } else {
                nVal = 0;
            }
            val.addAll(entries.subList(0, nVal));
            train.addAll(entries.subList(nVal, n));
        }
        return new Split(ImageFolder.of(folder.root(), folder.labels(), train),
                ImageFolder.of(folder.root(), folder.labels(), val));
    }

    /** Uses two folders the user has already split (e.g. hymenoptera's train/ and val/). */
    public static Split given(ImageFolder train, ImageFolder validation) {
        List<String> unknown = validation.labels().stream().filter(l -> !train.labels().contains(l)).toList();
        if (!unknown.isEmpty()) {
            throw new GraftException("The validation folder " + validation.root() + " has classes " + unknown
                    + " that the training folder " + train.root() + " lacks.",
                    "Use the same class folder names in both, or drop those classes from validation.");
        }
        return new Split(train, ImageFolder.of(validation.root(), train.labels(), validation.images()));
    }

    public List<String> labels() {
        return train.labels();
    }

    /** Writes the manifest: one row per image with its subset, label and path (relative to its data folder). */
    public void writeManifest(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder()
                    .setHeader("subset", "label", "path").build())) {
                print(csv, "train", train);
                print(csv, "val", validation);
            }
        });
    }

    private static void print(CSVPrinter csv, String subset, ImageFolder folder) throws IOException {
        for (ImageEntry e : folder.images()) {
            csv.printRecord(subset, e.label(), relative(folder.root(), e.path()));
        }
    }

    private static String relative(Path root, Path file) {
        Path rel = file.startsWith(root) ? root.relativize(file) : file;
        return rel.toString().replace('\\', '/');
    }

    /** Reads a manifest back, resolving relative paths against the two data folders. */
    public static Split readManifest(Path file, Path trainRoot, Path valRoot, List<String> labels) {
        List<ImageEntry> train = new ArrayList<>();
        List<ImageEntry> val = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (CSVRecord row : csv) {
                boolean isTrain = "train".equals(row.get("subset"));
                Path root = isTrain ? trainRoot : valRoot;
                ImageEntry e = new ImageEntry(root.resolve(row.get("path")), row.get("label"));
                (isTrain ? train : val).add(e);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new GraftException("Could not read the split manifest " + file + ": " + e.getMessage(),
                    "It should be the split.csv that 'graft train' wrote.", e);
        }
        return new Split(ImageFolder.of(trainRoot, labels, train), ImageFolder.of(valRoot, labels, val));
    }
}
