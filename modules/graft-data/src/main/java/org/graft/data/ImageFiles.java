package org.graft.data;

import org.graft.common.EnvironmentException;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finding the image files under a folder, the same way for a training scan and for prediction: links to folders
 * are followed but never round a loop, hidden and system folders (".git", "@eaDir", "__MACOSX", "$RECYCLE.BIN",
 * ...) are not entered, and every file that is not an image by name is ignored and listed.
 */
public final class ImageFiles {
    /** Folders that operating systems, NAS boxes and tools make beside the user's own (matched ignoring case). */
    private static final Set<String> SYSTEM_FOLDERS = Set.of("__macosx", "$recycle.bin", "system volume information",
            "#recycle", "#snapshot", "lost+found");

    private ImageFiles() {
    }

    /**
     * What a walk found.
     *
     * @param images  files with image names (decodable or not), shortest paths first, then by name
     * @param skipped what could not be walked: a link looping back up the tree, an unreadable folder
     * @param ignored files that are not images by name, and hidden or system folders (not entered)
     */
    public record Listing(List<Path> images, List<SkippedImage> skipped, List<IgnoredFile> ignored) {
    }

    /** Hidden (".name", ".Trash-1000", ".ipynb_checkpoints"), Synology/QNAP ("@eaDir") and system folders. */
    public static boolean isHiddenOrSystemFolder(String name) {
        return name.startsWith(".") || name.startsWith("@") || SYSTEM_FOLDERS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Walks {@code root} (which may itself have any name). */
    public static Listing list(Path root) {
        List<Path> images = new ArrayList<>();
        List<SkippedImage> skipped = new ArrayList<>();
        List<IgnoredFile> ignored = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                            if (!dir.equals(root) && isHiddenOrSystemFolder(dir.getFileName().toString())) {
                                ignored.add(new IgnoredFile(dir, "a hidden or system folder; not searched"));
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                            // a broken link too: it is reported, not dropped
                            if (ImageFormats.isImageName(file)) {
                                images.add(file.normalize());
                            } else {
                                ignored.add(new IgnoredFile(file.normalize(), whyNotAnImage(file)));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (file.getFileName() != null && isHiddenOrSystemFolder(file.getFileName().toString())) {
                                ignored.add(new IgnoredFile(file, "a hidden or system folder; not searched"));
                            } else if (e instanceof FileSystemLoopException) {
                                skipped.add(new SkippedImage(file, "a link to a folder above it (a loop); not followed"));
                            } else {
                                skipped.add(new SkippedImage(file, "cannot be read: " + e.getMessage()));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new EnvironmentException("Cannot list " + root + ": " + e.getMessage(),
                    "Check the folder's permissions.");
        }
        images.sort(Comparator.comparingInt(Path::getNameCount).thenComparing(Comparator.naturalOrder()));
        return new Listing(List.copyOf(images), List.copyOf(skipped), List.copyOf(ignored));
    }

    /**
     * The files that are the same file as another in {@code files} (reached again through a link), each mapped to
     * the one kept: a path that is not itself a link before one that is, then the shortest, then by name.
     */
    public static Map<Path, Path> aliases(List<Path> files) {
        Map<Path, Path> first = new HashMap<>();
        Map<Path, Path> aliases = new LinkedHashMap<>();
        List<Path> ordered = files.stream().sorted(Comparator.comparing((Path p) -> Files.isSymbolicLink(p))
                .thenComparingInt(Path::getNameCount).thenComparing(Comparator.naturalOrder())).toList();
        for (Path file : ordered) {
            Path before = first.putIfAbsent(realPath(file), file);
            if (before != null) {
                aliases.put(file, before);
            }
        }
        return aliases;
    }

    /** The reason an alias is skipped. */
    public static String aliasReason(Path first) {
        return "the same file as " + first + " (reached through a link)";
    }

    private static String whyNotAnImage(Path file) {
        if (ImageFormats.isHidden(file)) {
            return "a hidden file";
        }
        String ext = ImageFormats.extension(file);
        return ext.isEmpty() ? "not an image name (no extension)" : "not an image name (." + ext + ")";
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file;
        }
    }
}
