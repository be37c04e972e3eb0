package org.graft.data;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A folder of labelled images, one sub-folder per class, as a user hands it to Graft.
 *
 * <p>Files are found by walking the folder (links followed, loops not) and labelled with DataVec's
 * {@link ParentPathLabelGenerator}: the label is the class folder right under the root, also for images in
 * sub-folders of it. Each file's header is checked; files that are not readable images, or the same file reached
 * twice through a link, are skipped and listed, never silently dropped; the same image under two classes is
 * warned about. Class order is alphabetical, as in DataVec.
 */
public final class ImageFolder {
    private static final Logger log = LoggerFactory.getLogger(ImageFolder.class);

    private final Path root;
    private final List<String> labels;
    private final List<ImageEntry> images;
    private final List<SkippedImage> skipped;

    private ImageFolder(Path root, List<String> labels, List<ImageEntry> images, List<SkippedImage> skipped) {
        this.root = root;
        this.labels = List.copyOf(labels);
        this.images = List.copyOf(images);
        this.skipped = List.copyOf(skipped);
    }

    public Path root() {
        return root;
    }

    /** Class names in index order (alphabetical). */
    public List<String> labels() {
        return labels;
    }

    /** Usable images, sorted by path. */
    public List<ImageEntry> images() {
        return images;
    }

    /** Files that looked like images by name but could not be read. */
    public List<SkippedImage> skipped() {
        return skipped;
    }

    public Map<String, Long> countsByLabel() {
        return images.stream().collect(Collectors.groupingBy(ImageEntry::label, TreeMap::new, Collectors.counting()));
    }

    /**
     * Scans a folder for training: it must hold at least two class folders, each with at least one image.
     */
    public static ImageFolder scanForTraining(Path root) {
        ImageFolder folder = scan(root);
        List<String> emptyClasses = emptyClassFolders(folder);
        if (!emptyClasses.isEmpty()) {
            throw new BadDataException("Class folder(s) without a usable image in " + root + ": " + emptyClasses,
                    "Add images to them or remove them; every class needs examples to learn from.");
        }
        if (folder.labels.size() < 2) {
            throw new BadDataException("Only one class (" + folder.labels + ") found in " + root
                    + "; a classifier needs at least two.",
                    "Put each class's images in its own sub-folder, e.g. " + root.resolve("good") + " and "
                            + root.resolve("bad") + ".");
        }
        return folder;
    }

    /** Scans a folder of labelled images; no constraint on the number of classes (evaluation may use one). */
    public static ImageFolder scan(Path root) {
        requireFolder(root, "data");
        Path absRoot = root.toAbsolutePath().normalize();
        ParentPathLabelGenerator labeller = new ParentPathLabelGenerator();

        List<ImageEntry> images = new ArrayList<>();
        List<SkippedImage> skipped = new ArrayList<>();
        // shortest paths first, so that a file also reachable through a link keeps its plain path
        List<Path> files = listFiles(absRoot, skipped).stream().filter(ImageFormats::isImageName)
                .sorted(Comparator.comparingInt(Path::getNameCount).thenComparing(Comparator.naturalOrder()))
                .toList();
        Map<Path, Path> seen = new java.util.HashMap<>();
        for (Path file : files) {
            if (file.getParent().equals(absRoot)) {
                skipped.add(new SkippedImage(file, "not inside a class folder (move it into one)"));
                continue;
            }
            Path real = realPath(file);
            if (seen.containsKey(real)) {
                skipped.add(new SkippedImage(file, "the same file as " + seen.get(real) + " (reached through a link)"));
                continue;
            }
            seen.put(real, file);
            if (ImageHeader.read(file).isEmpty()) {
                skipped.add(new SkippedImage(file, "not a readable image"));
                continue;
            }
            // The class is the folder right under the root: DataVec's ParentPathLabelGenerator for an image in it,
            // and the same class for images in sub-folders of it (scans sorted into issue/page folders, say).
            // NFC: a Hangul folder name from a macOS archive (NFD) is the same class as one typed on Linux (NFC).
            Path relative = absRoot.relativize(file);
            String label = relative.getNameCount() == 2
                    ? labeller.getLabelForPath(file.toUri()).toString() : relative.getName(0).toString();
            images.add(new ImageEntry(file, Normalizer.normalize(label, Normalizer.Form.NFC)));
        }
        for (SkippedImage s : skipped) {
            log.warn("Skipping {}: {}", s.path(), s.reason());
        }
        if (images.isEmpty()) {
            throw new BadDataException("No readable images found in " + absRoot
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " unreadable files skipped)"),
                    "Put images (" + String.join(", ", ImageFormats.EXTENSIONS)
                            + ") into one sub-folder per class, e.g. " + absRoot.resolve("ants") + "/img1.jpg.");
        }
        images.sort(Comparator.comparing(ImageEntry::path));
        for (List<ImageEntry> same : duplicatesAcrossClasses(images)) {
            log.warn("The same image is in more than one class: {}",
                    same.stream().map(e -> e.label() + ": " + e.path()).toList());
        }
        List<String> labels = new ArrayList<>(new TreeSet<>(images.stream().map(ImageEntry::label).toList()));
        return new ImageFolder(absRoot, labels, images, skipped);
    }

    /**
     * Every regular file under the root, following links to folders but never round a loop (a link to a folder
     * above it is listed as skipped, not followed).
     */
    private static List<Path> listFiles(Path root, List<SkippedImage> skipped) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, java.util.EnumSet.of(java.nio.file.FileVisitOption.FOLLOW_LINKS),
                    Integer.MAX_VALUE, new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult visitFile(Path file,
                                                                       java.nio.file.attribute.BasicFileAttributes a) {
                            if (!a.isDirectory()) {
                                files.add(file.normalize()); // a broken link too: it is reported, not dropped
                            }
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException e) {
                            String why = e instanceof java.nio.file.FileSystemLoopException
                                    ? "a link to a folder above it (a loop); not followed"
                                    : "cannot be read: " + e.getMessage();
                            skipped.add(new SkippedImage(file, why));
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }
                    });
        } catch (java.io.IOException e) {
            throw new EnvironmentException("Cannot list " + root + ": " + e.getMessage(), "Check the folder's permissions.");
        }
        return files;
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (java.io.IOException e) {
            return file;
        }
    }

    /**
     * Groups of byte-identical files filed under different classes (a labelling mistake, or a cut-out saved
     * twice): training on both labels teaches nothing, and one of them in validation is a guaranteed error. Only
     * files of equal size are hashed.
     */
    public static List<List<ImageEntry>> duplicatesAcrossClasses(List<ImageEntry> images) {
        Map<Long, List<ImageEntry>> bySize = new TreeMap<>();
        for (ImageEntry e : images) {
            try {
                bySize.computeIfAbsent(Files.size(e.path()), k -> new ArrayList<>()).add(e);
            } catch (java.io.IOException ignored) {
                // unreadable files are reported elsewhere
            }
        }
        List<List<ImageEntry>> out = new ArrayList<>();
        for (List<ImageEntry> sameSize : bySize.values()) {
            if (sameSize.size() < 2 || sameSize.stream().map(ImageEntry::label).distinct().count() < 2) {
                continue;
            }
            Map<String, List<ImageEntry>> byHash = new TreeMap<>();
            for (ImageEntry e : sameSize) {
                try {
                    byHash.computeIfAbsent(org.graft.common.Checksums.sha256(e.path()), k -> new ArrayList<>()).add(e);
                } catch (RuntimeException ignored) {
                    // unreadable: reported elsewhere
                }
            }
            byHash.values().stream().filter(g -> g.stream().map(ImageEntry::label).distinct().count() > 1)
                    .forEach(out::add);
        }
        return out;
    }

    /** A folder built from entries already chosen (e.g. read back from a split manifest). */
    public static ImageFolder of(Path root, List<String> labels, List<ImageEntry> images) {
        return new ImageFolder(root, labels, images.stream().sorted(Comparator.comparing(ImageEntry::path)).toList(),
                List.of());
    }

    static void requireFolder(Path dir, String what) {
        if (!Files.exists(dir)) {
            throw new BadOptionException("The " + what + " folder " + dir.toAbsolutePath() + " does not exist.",
                    "Check the path; it should hold one sub-folder of images per class.");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadOptionException(dir.toAbsolutePath() + " is a file, not a folder.",
                    "Point at the folder that holds one sub-folder of images per class.");
        }
    }

    /** Immediate sub-folders of the root that yielded no usable image. */
    private static List<String> emptyClassFolders(ImageFolder folder) {
        try (Stream<Path> children = Files.list(folder.root)) {
            return children.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .filter(name -> folder.images.stream().noneMatch(e -> startsWithFolder(folder.root, e, name)))
                    .sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean startsWithFolder(Path root, ImageEntry e, String name) {
        return e.path().startsWith(root.resolve(name));
    }
}
