package org.graft.data;

import org.bytedeco.javacpp.BytePointer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opening an image file the safe way: only a regular file (after following links: a FIFO would block for ever, a
 * device never ends), only a name the platform can write back (so that every output names the file as it is on
 * disk), and never more than {@link #MAX_BYTES}.
 */
final class ImageFile {
    /**
     * The largest file read: an uncompressed image at the pixel limit with four 16-bit samples per pixel
     * (250 megapixels x 8 bytes); anything larger cannot be an image Graft would decode.
     */
    static final long MAX_BYTES = 2_000_000_000L;

    private ImageFile() {
    }

    /** The checks that need no reading: the name, the kind of file, its size. Returns the size. */
    static long check(Path file) throws UnreadableImageException {
        checkName(file);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UnreadableImageException(file, "cannot be read: " + describe(file, e));
        }
        if (!a.isRegularFile()) {
            throw new UnreadableImageException(file, "not a regular file but " + kind(file, a)
                    + "; Graft reads only ordinary files");
        }
        if (a.size() == 0) {
            throw new UnreadableImageException(file, "the file is empty");
        }
        if (a.size() > MAX_BYTES) {
            throw new UnreadableImageException(file, String.format(java.util.Locale.ROOT,
                    "the file is too large (%.1f GB); no image within Graft's limit of %d megapixels needs more"
                            + " than %d GB", a.size() / 1e9, ImageLoader.MAX_PIXELS / 1_000_000, MAX_BYTES / 1_000_000_000));
        }
        return a.size();
    }

    /** The first {@code max} bytes (fewer in a shorter file). */
    static ImageBytes head(Path file, int max) throws UnreadableImageException {
        ByteBuffer head = ByteBuffer.allocate(max);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (head.hasRemaining() && in.read(head) >= 0) {
                // until full or at the end
            }
        } catch (IOException e) {
            throw new UnreadableImageException(file, "cannot be read: " + describe(file, e));
        }
        head.flip();
        return new ImageBytes(head, "file's");
    }

    /**
     * The whole file (at most {@code size} bytes, as {@link #check} found it), in native memory that OpenCV reads
     * without a copy. The caller closes it.
     */
    static BytePointer readAll(Path file, long size) throws UnreadableImageException {
        BytePointer data = new BytePointer(size);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = data.asByteBuffer();
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // a file that shrank since check() ends early; one that grew is read up to its old size
            }
            data.limit(buffer.position());
        } catch (IOException e) {
            data.close();
            throw new UnreadableImageException(file, "cannot be read: " + describe(file, e));
        }
        if (data.limit() == 0) {
            data.close();
            throw new UnreadableImageException(file, "the file is empty");
        }
        return data;
    }

    /**
     * Refuses a path the platform cannot write back: on Linux a name that is not valid UTF-8 reaches Java as a
     * string with U+FFFD in it, and every file written with that string (split.csv, predictions.csv) would name a
     * file that does not exist.
     */
    static void checkName(Path file) throws UnreadableImageException {
        if (file.getFileSystem().getPath(file.toString()).equals(file)) {
            return;
        }
        String bad = file.toString();
        for (Path part : file) {
            if (!part.getFileSystem().getPath(part.toString()).equals(part)) {
                String raw = part.toAbsolutePath().toUri().getRawPath();
                bad = raw.substring(raw.lastIndexOf('/', raw.length() - 2) + 1);
                break;
            }
        }
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        boolean utf8 = Charset.isSupported(encoding) && Charset.forName(encoding).equals(StandardCharsets.UTF_8);
        throw new UnreadableImageException(file, utf8
                ? "its name is not valid UTF-8 (the bytes are " + bad + "); rename it, e.g. with"
                + " 'convmv -f latin1 -t utf8 --notest'"
                : "its name cannot be written in this system's file-name encoding (" + encoding + ", the bytes are "
                + bad + "); run Graft with a UTF-8 locale (LC_ALL=C.UTF-8) or rename it");
    }

    private static String describe(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return Files.isSymbolicLink(file) ? "a link to a file that does not exist" : "the file does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** What a non-regular file is, from its Unix mode where the platform has one. */
    private static String kind(Path file, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a folder";
        }
        try {
            int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
            return switch (type) {
                case 0010000 -> "a named pipe (FIFO)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file";
        }
    }
}
