package org.graft.data;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;

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
 * <p>Files are found by {@link ImageFiles} (links followed, loops not, hidden and system folders left alone) and
 * labelled with DataVec's {@link ParentPathLabelGenerator}: the label is the class folder right under the root,
 * also for images in sub-folders of it. Each image file passes {@link ImageGate#admit} (a regular file whose
 * content is a format Graft decodes); what it refuses, or the same file reached twice through a link, is skipped
 * and listed with the reason the gate would give when decoding it, and files that are not images are listed as
 * ignored: nothing is silently dropped. The same image under two classes is warned about. Class order is
 * alphabetical, as in DataVec. A scan does not log its skips: whoever records them ({@link SkipLog}) does, once.
 */
public final class ImageFolder {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ImageFolder.class);

    private final Path root;
    private final List<String> labels;
    private final List<ImageEntry> images;
    private final List<SkippedImage> skipped;
    private final List<IgnoredFile> ignored;

    private ImageFolder(Path root, List<String> labels, List<ImageEntry> images, List<SkippedImage> skipped,
                        List<IgnoredFile> ignored) {
        this.root = root;
        this.labels = List.copyOf(labels);
        this.images = List.copyOf(images);
        this.skipped = List.copyOf(skipped);
        this.ignored = List.copyOf(ignored);
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

    /** Image files that cannot be used, each with the reason (decoding may skip more; see {@link SkipLog}). */
    public List<SkippedImage> skipped() {
        return skipped;
    }

    /** Files that are not images by name, and hidden or system folders (not searched), each with the reason. */
    public List<IgnoredFile> ignored() {
        return ignored;
    }

    public Map<String, Long> countsByLabel() {
        return images.stream().collect(Collectors.groupingBy(ImageEntry::label, TreeMap::new, Collectors.counting()));
    }

    /**
     * Scans a folder for training: it must hold at least two class folders, each with at least one image, and
     * must not be a data set already split into train/ and val/ folders.
     */
    public static ImageFolder scanForTraining(Path root) {
        ImageFolder folder = scan(root);
        PresplitLayout.refuse(folder);
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
        ImageFiles.Listing listing = ImageFiles.list(absRoot);
        List<SkippedImage> skipped = new ArrayList<>(listing.skipped());
        List<ImageEntry> images = new ArrayList<>();
        List<Path> inClasses = new ArrayList<>();
        for (Path file : listing.images()) {
            if (file.getParent().equals(absRoot)) {
                skipped.add(new SkippedImage(file, "not inside a class folder (move it into one)"));
            } else {
                inClasses.add(file);
            }
        }
        Map<Path, Path> aliases = ImageFiles.aliases(inClasses);
        ImageGate gate = new ImageGate();
        for (Path file : inClasses) {
            if (aliases.containsKey(file)) {
                skipped.add(new SkippedImage(file, ImageFiles.aliasReason(aliases.get(file))));
                continue;
            }
            try {
                gate.admit(file);
            } catch (UnreadableImageException e) {
                skipped.add(new SkippedImage(file, e.getMessage()));
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
        if (images.isEmpty()) {
            throw new BadDataException("No readable images found in " + absRoot
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " unreadable files skipped)")
                    + (listing.ignored().isEmpty() ? "" : " (" + listing.ignored().size()
                    + " files ignored: not images)"),
                    "Put images (" + String.join(", ", ImageFormats.EXTENSIONS)
                            + ") into one sub-folder per class, e.g. " + absRoot.resolve("ants") + "/img1.jpg.");
        }
        images.sort(Comparator.comparing(ImageEntry::path));
        for (List<ImageEntry> same : duplicatesAcrossClasses(images)) {
            log.warn("The same image is in more than one class: {}",
                    same.stream().map(e -> e.label() + ": " + e.path()).toList());
        }
        List<String> labels = new ArrayList<>(new TreeSet<>(images.stream().map(ImageEntry::label).toList()));
        return new ImageFolder(absRoot, labels, images, skipped, listing.ignored());
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
                List.of(), List.of());
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

    /** Immediate sub-folders of the root (hidden and system folders aside) that yielded no usable image. */
    private static List<String> emptyClassFolders(ImageFolder folder) {
        try (Stream<Path> children = Files.list(folder.root)) {
            return children.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !ImageFiles.isHiddenOrSystemFolder(name))
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
