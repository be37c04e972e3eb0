package org.graft.data;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.FileSplit;
import org.graft.common.GraftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.text.Normalizer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Files are found with DataVec's {@link FileSplit} and labelled with its {@link ParentPathLabelGenerator}
 * (the label is the name of the folder a file sits in). Each file's header is checked; files that are not
 * readable images are skipped and listed, never silently dropped. Class order is alphabetical, as in DataVec.
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
            throw new GraftException("Class folder(s) without a usable image in " + root + ": " + emptyClasses,
                    "Add images to them or remove them; every class needs examples to learn from.");
        }
        if (folder.labels.size() < 2) {
            throw new GraftException("Only one class (" + folder.labels + ") found in " + root
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
        FileSplit split = new FileSplit(absRoot.toFile(), ImageFormats.dataVecFormats(), true);
        ParentPathLabelGenerator labeller = new ParentPathLabelGenerator();

        List<ImageEntry> images = new ArrayList<>();
        List<SkippedImage> skipped = new ArrayList<>();
        List<Path> files = Stream.of(split.locations()).map(ImageFolder::toPath)
                .filter(ImageFormats::isImageName).sorted().toList();
        for (Path file : files) {
            if (file.getParent().equals(absRoot)) {
                skipped.add(new SkippedImage(file, "not inside a class folder (move it into one)"));
                continue;
            }
            if (ImageHeader.read(file).isEmpty()) {
                skipped.add(new SkippedImage(file, "not a readable image"));
                continue;
            }
            // NFC: a Hangul folder name from a macOS archive (NFD) is the same class as one typed on Linux (NFC)
            String label = Normalizer.normalize(labeller.getLabelForPath(file.toUri()).toString(), Normalizer.Form.NFC);
            images.add(new ImageEntry(file, label));
        }
        for (SkippedImage s : skipped) {
            log.warn("Skipping {}: {}", s.path(), s.reason());
        }
        if (images.isEmpty()) {
            throw new GraftException("No readable images found in " + absRoot
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " unreadable files skipped)"),
                    "Put images (" + String.join(", ", ImageFormats.EXTENSIONS)
                            + ") into one sub-folder per class, e.g. " + absRoot.resolve("ants") + "/img1.jpg.");
        }
        List<String> labels = new ArrayList<>(new TreeSet<>(images.stream().map(ImageEntry::label).toList()));
        return new ImageFolder(absRoot, labels, images, skipped);
    }

    /** A folder built from entries already chosen (e.g. read back from a split manifest). */
    public static ImageFolder of(Path root, List<String> labels, List<ImageEntry> images) {
        return new ImageFolder(root, labels, images.stream().sorted(Comparator.comparing(ImageEntry::path)).toList(),
                List.of());
    }

    /**
     * DataVec's URIs keep Hangul or Hanja characters raw, which {@code Path.of(URI)} rejects ("Bad escape"), and
     * {@code URI.toASCIIString()} would rewrite NFD names as NFC, naming a file that does not exist. The decoded
     * path is the file's own name, byte for byte.
     */
    private static Path toPath(URI uri) {
        return Path.of(uri.getPath()).normalize();
    }

    static void requireFolder(Path dir, String what) {
        if (!Files.exists(dir)) {
            throw new GraftException("The " + what + " folder " + dir.toAbsolutePath() + " does not exist.",
                    "Check the path; it should hold one sub-folder of images per class.");
        }
        if (!Files.isDirectory(dir)) {
            throw new GraftException(dir.toAbsolutePath() + " is a file, not a folder.",
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
