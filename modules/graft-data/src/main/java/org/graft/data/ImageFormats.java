package org.graft.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The image file types Graft reads. */
public final class ImageFormats {
    private ImageFormats() {
    }

    /** Extensions, without the dot; matched case-insensitively. */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

    public static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        // macOS resource forks ("._photo.jpg") and other hidden files are not images.
        if (name.startsWith(".")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The extensions in the form DataVec's FileSplit wants, upper and lower case. */
    public static String[] dataVecFormats() {
        return EXTENSIONS.stream()
                .flatMap(e -> java.util.stream.Stream.of(e, e.toUpperCase(Locale.ROOT)))
                .toArray(String[]::new);
    }
}
