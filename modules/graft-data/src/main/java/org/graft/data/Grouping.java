package org.graft.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How images belong together (a page, an issue, a volume, a character) so that a group never straddles
 * training and validation: cut-outs of one page in both would make validation measure memory, not skill.
 *
 * <p>Groups are global, not per class: the cut-outs of one page go to the same side whatever their classes. An
 * image that the grouping does not cover is its own group ({@link #countUnmatched} says how many, so that the
 * caller can warn). Paths are matched relative to the data folder, with '/' separators and in Unicode NFC (so
 * that a Hangul folder name from a macOS archive matches what was typed).
 */
public final class Grouping {
    /** The marker that keeps an ungrouped image's key apart from every real group name. */
    private static final String OWN = "\u0000own:";

    private final String description;
    /** What --group-by would say to make this grouping again; null where it cannot (none, or a recorded split). */
    private final String spec;
    /** (relative path, absolute path) to the group name, or null when the image is not covered. */
    private final BiFunction<String, Path, String> lookup;

    private Grouping(String description, String spec, BiFunction<String, Path, String> lookup) {
        this.spec = spec;
        this.description = description;
        this.lookup = lookup;
    }

    /** Every image its own group (the plain stratified split). */
    public static Grouping none() {
        return NONE;
    }

    private static final Grouping NONE = new Grouping("none (each image its own group)", null, (rel, abs) -> null);

    /**
     * Groups by a regular expression found (not fully matched) in each image's path relative to the data folder:
     * the group is the first capturing group if there is one, else the whole match. E.g. {@code '^[^/]+/([^/]+)/'}
     * groups by the folder under each class folder, {@code 'page\d+'} by page number.
     */
    public static Grouping byRegex(String regex) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new BadOptionException("The grouping regex '" + regex + "' is invalid: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " (at character " + (e.getIndex() + 1) + ")" : "") + ".",
                    "Give a Java regular expression that is found in each image's path relative to the data folder"
                            + " ('/' separators), e.g. --group-by 'page\\d+' or --group-by '^[^/]+/([^/]+)/'"
                            + " (quote it for the shell); or the path of a CSV file with columns path,group.");
        }
        boolean capturing = pattern.matcher("").groupCount() > 0;
        return new Grouping("regex " + regex, regex, (rel, abs) -> {
            Matcher m = pattern.matcher(rel);
            if (!m.find()) {
                return null;
            }
            String g = capturing ? m.group(1) : m.group();
            // an optional group that took no part, or an empty match, says nothing about where the image belongs
            return g == null || g.isEmpty() ? null : g;
        });
    }

    /**
     * Groups by a CSV file with a header {@code path,group}: one row per image, its path relative to the data
     * folder (or absolute). Images it does not list are their own group.
     */
    public static Grouping fromCsv(Path csv) {
        String expected = "Give a comma-separated file whose first line is the header path,group and whose rows give"
                + " each image's path (relative to the data folder, '/' separators, or absolute) and its group,"
                + " e.g. ants/scan_012_cut3.jpg,scan_012.";
        if (!Files.isRegularFile(csv)) {
            throw new BadOptionException("The grouping file " + csv.toAbsolutePath() + " does not exist"
                    + (Files.isDirectory(csv) ? " (it is a folder)" : "") + ".", expected);
        }
        String text;
        try {
            text = Files.readString(csv, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new BadDataException("The grouping file " + csv.toAbsolutePath() + " is not UTF-8 text.",
                    "Save it as CSV UTF-8. " + expected);
        } catch (IOException e) {
            throw new EnvironmentException("Cannot read the grouping file " + csv.toAbsolutePath() + ": "
                    + e.getMessage(),
                    "Check the file's permissions.");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // spreadsheet programs put a byte-order mark before the header
        }
        Map<String, String> groups = new HashMap<>();
        long[] lastLine = {1};
        try (CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreHeaderCase(true).setTrim(true).setIgnoreEmptyLines(true).build()
                .parse(new StringReader(text))) {
            List<String> header = parser.getHeaderNames();
            if (!header.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList().containsAll(List.of("path", "group"))) {
                throw new BadDataException("The grouping file " + csv.toAbsolutePath() + " has the header " + header
                        + ", not the columns path and group.", expected);
            }
            for (CSVRecord row : parser) {
                lastLine[0] = parser.getCurrentLineNumber();
                if (!row.isSet("path") || !row.isSet("group")) {
                    throw new BadDataException("Line " + parser.getCurrentLineNumber() + " of the grouping file "
                            + csv.toAbsolutePath() + " has fewer columns than the header.", expected);
                }
                String path = row.get("path");
                String group = row.get("group");
                if (path.isEmpty()) {
                    continue;
                }
                if (group.isEmpty()) {
                    throw new BadDataException("Line " + parser.getCurrentLineNumber() + " of the grouping file "
                            + csv.toAbsolutePath() + " gives " + path + " no group.",
                            "Give every listed image a group, or leave the image out (it is then its own group).");
                }
                String key = key(path);
                String before = groups.putIfAbsent(key, group);
                if (before != null && !before.equals(group)) {
                    throw new BadDataException("The grouping file " + csv.toAbsolutePath() + " puts " + path
                            + " in two groups: '" + before + "' and '" + group + "'.",
                            "List each image once.");
                }
            }
        } catch (UncheckedIOException e) {
            // commons-csv reports a quote left open from its iterator as an UncheckedIOException
            throw new BadDataException("Cannot parse the grouping file " + csv.toAbsolutePath()
                    + ": the record from line "
                    + startLine(e, lastLine[0] + 1) + " does not end (a quoted field is never closed).",
                    "Close the quote (a quote inside a quoted field is written twice: \"\"). " + expected);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new BadDataException("Cannot parse the grouping file " + csv.toAbsolutePath() + " (near line "
                    + lastLine[0] + "): " + e.getMessage(), expected);
        }
        return new Grouping("CSV " + csv.toAbsolutePath() + " (" + groups.size() + " images listed)",
                csv.toAbsolutePath().toString(),
                (rel, abs) -> {
                    String g = groups.get(key(rel));
                    return g != null ? g : groups.get(key(abs.toString()));
                });
    }

    /** The line commons-csv names in its message ("(startline 3)"), else {@code fallback}. */
    private static long startLine(Exception e, long fallback) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = t.getMessage() == null ? null : Pattern.compile("startline (\\d+)").matcher(t.getMessage());
            if (m != null && m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return fallback;
    }

    /**
     * What {@code --group-by} says: the path of an existing .csv file, else a regex; blank means no grouping. A
     * spec that ends in .csv but names no file is refused rather than taken as a regex (that can match no image).
     */
    public static Grouping parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return none();
        }
        if (spec.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            Path file;
            try {
                file = Path.of(spec);
            } catch (java.nio.file.InvalidPathException e) {
                return byRegex(spec);
            }
            return fromCsv(file); // refuses a missing file, naming it
        }
        return byRegex(spec);
    }

    /** Groups given directly, by absolute path (e.g. as read back from a split manifest). */
    static Grouping fixed(Map<Path, String> groups, String description) {
        Map<String, String> byKey = new HashMap<>();
        groups.forEach((p, g) -> byKey.put(key(p.toAbsolutePath().normalize().toString()), g));
        return new Grouping(description, null, (rel, abs) -> byKey.get(key(abs.toString())));
    }

    /**
     * The {@code --group-by} value that makes this grouping again (a regex, or the CSV's absolute path), or null
     * for none and for groups read back from a split manifest.
     */
    public String spec() {
        return spec;
    }

    public boolean isNone() {
        return this == NONE;
    }

    /** The image's group; an image the grouping does not cover is its own group, named by its relative path. */
    public String groupOf(Path root, ImageEntry e) {
        String g = matched(root, e);
        return g != null ? g : relative(root, e.path());
    }

    /** Whether the grouping covers this image (false: it is its own group). Always false for {@link #none()}. */
    public boolean covers(Path root, ImageEntry e) {
        return matched(root, e) != null;
    }

    /** How many of these images the grouping does not cover, each then its own group (0 for {@link #none()}). */
    public int countUnmatched(Path root, List<ImageEntry> entries) {
        if (isNone()) {
            return 0;
        }
        return (int) entries.stream().filter(e -> !covers(root, e)).count();
    }

    /**
     * A key that tells groups apart: unlike {@link #groupOf}, an ungrouped image's key can never equal a real
     * group's name (a sub-folder path could, by chance).
     */
    String key(Path root, ImageEntry e) {
        String g = matched(root, e);
        return g != null ? g : OWN + e.path().toAbsolutePath().normalize();
    }

    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "Grouping[" + description + "]";
    }

    private String matched(Path root, ImageEntry e) {
        if (isNone()) {
            return null;
        }
        Path abs = e.path().toAbsolutePath().normalize();
        return lookup.apply(relative(root, e.path()), abs);
    }

    static String relative(Path root, Path file) {
        Path absRoot = root.toAbsolutePath().normalize();
        Path abs = file.toAbsolutePath().normalize();
        Path rel = abs.startsWith(absRoot) ? absRoot.relativize(abs) : abs;
        // only the platform's separator: on Linux a backslash is part of a file's name
        return Normalizer.normalize(rel.toString().replace(java.io.File.separatorChar, '/'), Normalizer.Form.NFC);
    }

    /**
     * A path as written in a CSV (or a file's own relative path), made comparable: '/' separators (a CSV written
     * on Windows has '\\'), no "./", NFC. Both sides of a lookup go through it, so a file whose name holds a
     * backslash still finds its row.
     */
    private static String key(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        return Normalizer.normalize(p, Normalizer.Form.NFC);
    }
}
