package org.graft.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * A folder of every kind of odd file Graft must give one verdict (shared with other modules' tests through this
 * module's test jar): formats named wrongly, formats Graft does not read, float and 16-bit TIFFs, truncated and
 * damaged files, a FIFO, a link to /dev/zero, odd names, hidden and system folders, non-images. Each comes with
 * its documented outcome and a word its reason must contain.
 */
public final class OddFiles {
    /** What happens to a file. */
    public enum Outcome { USED, SKIPPED, IGNORED }

    /**
     * @param path   the file (or, for a hidden or system folder, the folder)
     * @param reason for SKIPPED, a fragment the reason must contain
     */
    public record Odd(Path path, Outcome outcome, String reason) {
    }

    private final Path root;
    private final List<Odd> odds = new ArrayList<>();

    private OddFiles(Path root) {
        this.root = root;
    }

    /** Writes the corpus under {@code root} (classes red and blue) and returns every file's expected outcome. */
    public static List<Odd> write(Path root) {
        OddFiles o = new OddFiles(root);
        try {
            o.writeAll();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(o.odds);
    }

    private void writeAll() throws IOException {
        used(TestImages.solid(root.resolve("red/ok.png"), 40, 30, Color.RED, "png"));
        used(TestImages.solid(root.resolve("red/ok.jpg"), 40, 30, Color.RED, "jpg"));
        used(TestImages.solid(root.resolve("blue/ok.png"), 40, 30, Color.BLUE, "png"));
        used(TestImages.solid(root.resolve("blue/ok2.png"), 30, 40, Color.BLUE, "png"));
        // the content decides the format, whatever the name
        used(bytes("red/webp-content.jpg", encode(".webp", solid(CV_8UC3, 0, 0, 200))));
        used(bytes("red/photo.webp", encode(".webp", solid(CV_8UC3, 0, 0, 200))));
        used(bytes("red/photo.jfif", encode(".jpg", solid(CV_8UC3, 0, 0, 200))));
        used(TestImages.solid(root.resolve("red/gif-content.jpg"), 8, 8, Color.RED, "gif"));
        skipped(bytes("red/jp2-content.jpg", jpeg2000()), "JPEG 2000");
        skipped(bytes("red/scan.jp2", jpeg2000()), "JPEG 2000");
        skipped(bytes("red/phone.heic", heic()), "HEIC");
        skipped(bytes("red/drawing.svg", ("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>\n")
                .getBytes(StandardCharsets.UTF_8)), "SVG");
        skipped(bytes("red/camera.nef", encode(".tiff", solid(CV_8UC3, 0, 0, 200))), "camera raw");
        // wide samples: converted to 8 bits
        used(bytes("red/float-grey.tif", encode(".tiff", solid(CV_32FC1, 0.75, 0.75, 0.75))));
        used(bytes("red/float-rgb.tif", floatTiff(32, 24, 0.8f, 0.2f, 0.1f)));
        used(bytes("red/16-bit.tif", encode(".tiff", solid(CV_16UC3, 0, 0, 50000))));
        used(bytes("red/strip.png", encode(".png", new Mat(100_000, 2, CV_8UC3, new Scalar(0, 0, 200, 0)))));
        // cut short or damaged
        byte[] photo = encode(".jpg", noisy(320, 240));
        skipped(bytes("red/truncated-half.jpg", Arrays.copyOf(photo, photo.length / 2)), "truncated");
        skipped(bytes("red/truncated-tenth.jpg", Arrays.copyOf(photo, photo.length / 10)), "truncated");
        byte[] closed = Arrays.copyOf(photo, photo.length / 2 + 2);
        closed[closed.length - 2] = (byte) 0xFF; // cut short, then closed with an end marker
        closed[closed.length - 1] = (byte) 0xD9;
        skipped(bytes("red/truncated-closed.jpg", closed), "premature end");
        byte[] png = encode(".png", noisy(64, 48));
        skipped(bytes("red/truncated.png", Arrays.copyOf(png, png.length - 20)), "truncated");
        byte[] badCrc = png.clone();
        badCrc[png.length - 30] ^= 0x55; // inside IDAT (before its checksum and IEND): the checksum no longer holds
        skipped(bytes("red/bad-checksum.png", badCrc), "checksum");
        skipped(bytes("red/text.jpg", "not an image at all\n".getBytes(StandardCharsets.UTF_8)),
                "not a readable image");
        skipped(bytes("red/empty.png", new byte[0]), "empty");
        // not regular files, or no file at all
        if (run("mkfifo", root.resolve("red/fifo.jpg").toString())) {
            skipped(root.resolve("red/fifo.jpg"), "named pipe");
        }
        if (Files.exists(Path.of("/dev/zero"))) {
            skipped(Files.createSymbolicLink(root.resolve("red/zero.jpg"), Path.of("/dev/zero")), "character device");
        }
        skipped(Files.createSymbolicLink(root.resolve("red/broken-link.png"), root.resolve("red/gone.png")),
                "does not exist");
        skipped(Files.createSymbolicLink(root.resolve("red/alias.png"), root.resolve("red/ok.png")), "same file");
        // names: a backslash is part of a Linux file name; a name that is not UTF-8 cannot be written back
        used(TestImages.solid(root.resolve("red/back\\slash.png"), 8, 8, Color.RED, "png"));
        if (run("sh", "-c", "cp \"$0\" \"$1/$(printf 'caf\\351.png')\"", root.resolve("red/ok.png").toString(),
                root.resolve("red").toString())) {
            try (var files = Files.list(root.resolve("red"))) {
                files.filter(p -> p.getFileName().toString().startsWith("caf")).forEach(p -> skipped(p, "UTF-8"));
            }
        }
        // not images: ignored, and listed as ignored
        ignored(bytes("red/notes.txt", "a note\n".getBytes(StandardCharsets.UTF_8)));
        ignored(bytes("blue/Thumbs.db", new byte[]{(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0}));
        ignored(bytes("blue/.DS_Store", new byte[]{0, 0, 0, 1, 'B', 'u', 'd', '1'}));
        for (String folder : List.of(".hidden", "__MACOSX", "$RECYCLE.BIN", "System Volume Information",
                ".Trash-1000", "red/@eaDir", "blue/.ipynb_checkpoints")) {
            TestImages.solid(root.resolve(folder).resolve("x.png"), 8, 8, Color.GREEN, "png");
            ignored(root.resolve(folder));
        }
    }

    private void used(Path p) {
        odds.add(new Odd(p, Outcome.USED, null));
    }

    private void skipped(Path p, String reason) {
        odds.add(new Odd(p, Outcome.SKIPPED, reason));
    }

    private void ignored(Path p) {
        odds.add(new Odd(p, Outcome.IGNORED, null));
    }

    private Path bytes(String name, byte[] content) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, content);
    }

    /** A solid image of the given type; the values are B, G, R (OpenCV's order). */
    static Mat solid(int type, double b, double g, double r) {
        return new Mat(24, 32, type, new Scalar(b, g, r, 0));
    }

    static Mat noisy(int w, int h) {
        Random random = new Random(7);
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i / 3 % w) + random.nextInt(40)); // a gradient with noise
        }
        Mat m = new Mat(h, w, CV_8UC3);
        m.data().put(px);
        return m;
    }

    /** The image encoded by OpenCV; {@code params}: pairs of IMWRITE_* flags and values. */
    static byte[] encode(String ext, Mat m, int... params) {
        try (m; BytePointer buf = new BytePointer(); org.bytedeco.javacpp.IntPointer p =
                new org.bytedeco.javacpp.IntPointer(params.length == 0 ? new int[]{0, 0} : params)) {
            if (!(params.length == 0 ? imencode(ext, m, buf) : imencode(ext, m, buf, p))) {
                throw new IllegalStateException("OpenCV cannot write " + ext);
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /**
     * An uncompressed 32-bit float TIFF of one colour (R, G, B; one value: grey), as scientific cameras and GIS
     * tools write them. OpenCV writes 3-channel float as LogLuv HDR instead, and Pillow cannot write it at all.
     */
    static byte[] floatTiff(int w, int h, float... colour) {
        int spp = colour.length;
        int entries = 11;
        int extra = 8 + 2 + entries * 12 + 4;
        int data = extra + 4 * spp;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(data + w * h * spp * 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{'I', 'I', 42, 0}).putInt(8).putShort((short) entries);
        int[][] tags = {{256, 4, 1, w}, {257, 4, 1, h}, {258, 3, spp, spp == 1 ? 32 : extra},
                {259, 3, 1, 1}, {262, 3, 1, spp == 1 ? 1 : 2}, {273, 4, 1, data}, {277, 3, 1, spp},
                {278, 4, 1, h}, {279, 4, 1, w * h * spp * 4}, {284, 3, 1, 1},
                {339, 3, spp, spp == 1 ? 3 : extra + 2 * spp}};
        for (int[] t : tags) {
            b.putShort((short) t[0]).putShort((short) t[1]).putInt(t[2]);
            if (t[1] == 3 && t[2] == 1) {
                b.putShort((short) t[3]).putShort((short) 0);
            } else {
                b.putInt(t[3]);
            }
        }
        b.putInt(0);
        for (int i = 0; i < spp; i++) {
            b.putShort((short) 32);
        }
        for (int i = 0; i < spp; i++) {
            b.putShort((short) 3);
        }
        for (int i = 0; i < w * h; i++) {
            for (float c : colour) {
                b.putFloat(c);
            }
        }
        return b.array();
    }

    /** A JPEG 2000 file's signature and file-type boxes (the content is never decoded). */
    static byte[] jpeg2000() {
        byte[] head = {0, 0, 0, 12, 'j', 'P', ' ', ' ', '\r', '\n', (byte) 0x87, '\n',
                0, 0, 0, 20, 'f', 't', 'y', 'p', 'j', 'p', '2', ' ', 0, 0, 0, 0, 'j', 'p', '2', ' '};
        return Arrays.copyOf(head, 200);
    }

    /** The start of an ISO base media file whose brand is HEIC, as an iPhone writes it. */
    static byte[] heic() {
        byte[] head = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0,
                'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'};
        return Arrays.copyOf(head, 300);
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
