package org.graft.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.graft.common.AtomicFiles;
import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A train/validation split of labelled images, and its manifest file ({@code split.csv}).
 *
 * <p>The split is stratified (each class is split in the same proportion) and seeded (the same folder and seed
 * always give the same split), so that a result can be reproduced and compared. With a {@link Grouping}, whole
 * groups (pages, volumes, characters) go to one side, so that validation never sees a near-copy of a training
 * image; the manifest then records each image's group.
 *
 * @param grouping how the split kept images together; {@link Grouping#none()} for a plain split
 */
public record Split(ImageFolder train, ImageFolder validation, Grouping grouping) {
    public static final String MANIFEST_NAME = "split.csv";

    public Split {
        grouping = grouping == null ? Grouping.none() : grouping;
    }

    /** A split without grouping. */
    public Split(ImageFolder train, ImageFolder validation) {
        this(train, validation, Grouping.none());
    }

    /**
     * Splits one folder: per class, shuffles with the seed and sends {@code validationFraction} of its images
     * (at least one, if the class has two or more) to validation.
     */
    public static Split stratified(ImageFolder folder, double validationFraction, long seed) {
        checkFraction(validationFraction);
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
            int nVal = validationTarget(n, validationFraction);
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
            throw new BadDataException("The validation folder " + validation.root() + " has classes " + unknown
                    + " that the training folder " + train.root() + " lacks.",
                    "Use the same class folder names in both, or drop those classes from validation.");
        }
        return new Split(train, ImageFolder.of(validation.root(), train.labels(), validation.images()));
    }

    public List<String> labels() {
        return train.labels();
    }

    /**
     * Writes the manifest: one row per image with its subset, label and path (relative to its data folder), and
     * its group when the split used a grouping.
     */
    public void writeManifest(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            // the group column only with a grouping, so that plain manifests stay byte-for-byte as they were
            String[] header = grouping.isNone() ? new String[]{"subset", "label", "path"}
                    : new String[]{"subset", "label", "path", "group"};
            try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).build())) {
                print(csv, "train", train);
                print(csv, "val", validation);
            }
        });
    }

    private void print(CSVPrinter csv, String subset, ImageFolder folder) throws IOException {
        for (ImageEntry e : folder.images()) {
            if (grouping.isNone()) {
                csv.printRecord(subset, e.label(), relative(folder.root(), e.path()));
            } else {
                csv.printRecord(subset, e.label(), relative(folder.root(), e.path()),
                        grouping.groupOf(folder.root(), e));
            }
        }
    }

    private static String relative(Path root, Path file) {
        Path rel = file.startsWith(root) ? root.relativize(file) : file;
        // only the platform's separator: on Linux a backslash is part of a file's name, and must stay in it
        return rel.toString().replace(java.io.File.separatorChar, '/');
    }

    /**
     * Reads a manifest back, resolving relative paths against the two data folders. Columns are found by name; a
     * {@code group} column (written when the split used a grouping) becomes the split's grouping.
     */
    public static Split readManifest(Path file, Path trainRoot, Path valRoot, List<String> labels) {
        List<ImageEntry> train = new ArrayList<>();
        List<ImageEntry> val = new ArrayList<>();
        Map<Path, String> groups = new HashMap<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            boolean grouped = csv.getHeaderNames().contains("group");
            for (CSVRecord row : csv) {
                boolean isTrain = "train".equals(row.get("subset"));
                Path root = isTrain ? trainRoot : valRoot;
                ImageEntry e = new ImageEntry(root.resolve(row.get("path")), row.get("label"));
                (isTrain ? train : val).add(e);
                if (grouped && row.isSet("group")) {
                    groups.put(e.path(), row.get("group"));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DamagedFileException("Could not read the split manifest " + file + ": " + e.getMessage(),
                    "It should be the split.csv that 'graft train' wrote.", e);
        }
        Grouping grouping = groups.isEmpty() ? Grouping.none()
                : Grouping.fixed(groups, "the groups recorded in " + file);
        return new Split(ImageFolder.of(trainRoot, labels, train), ImageFolder.of(valRoot, labels, val), grouping);
    }

    /**
     * The groups that have images on both sides of a split (empty when the grouping was respected), sorted. An
     * ungrouped image is its own group and never straddles.
     */
    public static List<String> straddlingGroups(Split split, Grouping grouping) {
        Set<String> inTrain = new HashSet<>();
        for (ImageEntry e : split.train().images()) {
            inTrain.add(grouping.key(split.train().root(), e));
        }
        Set<String> out = new TreeSet<>();
        for (ImageEntry e : split.validation().images()) {
            if (inTrain.contains(grouping.key(split.validation().root(), e))) {
                out.add(grouping.groupOf(split.validation().root(), e));
            }
        }
        return List.copyOf(out);
    }

    static void checkFraction(double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new BadOptionException("The validation fraction must be between 0 and 1, got " + validationFraction,
                    "Use e.g. --val-fraction 0.2.");
        }
    }

    /** How many of a class's n images validation should get: the fraction, but at least one and never all. */
    static int validationTarget(int n, double validationFraction) {
        if (n < 2) {
            return 0;
        }
        return Math.max(1, Math.min(n - 1, (int) Math.round(n * validationFraction)));
    }

    /**
     * Splits one folder keeping each group whole on one side, each class as close to the plain split's share as the
     * groups allow ({@link GroupedSplits#stratified}).
     *
     * @throws GraftException when no group can go to validation (e.g. the grouping puts everything in one group)
     */
    public static Split stratified(ImageFolder folder, double validationFraction, long seed, Grouping grouping) {
        return GroupedSplits.stratified(folder, validationFraction, seed, grouping);
    }

    /**
     * K-fold cross-validation: k splits in which every image, whole group by whole group, is in validation exactly
     * once ({@link GroupedSplits#folds}).
     *
     * @throws GraftException when k is below 2 or above the number of groups, or when a class has all its images
     *                        in a single group (or a single image): the fold that validates on it could not train on it
     */
    public static List<Split> folds(ImageFolder folder, int k, long seed, Grouping grouping) {
        return GroupedSplits.folds(folder, k, seed, grouping);
    }
}
