package org.graft.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_RST_INTERVAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The decoding gate: one verdict per file, from its content, never a hang, a crash or a silent grey half. */
class ImageGateTest {
    /** Only a hang guard: these finish in well under a second. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final ImageGate.Request COLOUR = new ImageGate.Request(0, false);

    @TempDir
    Path tmp;
    private final ImageGate gate = new ImageGate();

    private String reason(Path file) {
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> decodeOnce(file),
                file + " was decoded");
        assertEquals(file, e.path());
        // the scan's cheaper check never admits less than decoding does, and says the same when it refuses
        try {
            gate.admit(file);
        } catch (UnreadableImageException scan) {
            assertEquals(e.getMessage(), scan.getMessage(), "the scan and decoding disagree on " + file);
        }
        return e.getMessage();
    }

    private int[] decodeOnce(Path file) throws UnreadableImageException {
        try (Mat m = gate.decode(file, COLOUR)) {
            byte[] px = new byte[3];
            m.data().get(px);
            return new int[]{m.cols(), m.rows(), px[0] & 0xFF, px[1] & 0xFF, px[2] & 0xFF};
        }
    }

    private Path write(String name, byte[] content) throws Exception {
        return Files.write(tmp.resolve(name), content);
    }

    @Test
    void theContentDecidesTheFormatNotTheName() throws Exception {
        Path webp = write("webp-inside.jpg", OddFiles.encode(".webp", OddFiles.solid(CV_8UC3, 0, 0, 200)));
        int[] px = decodeOnce(webp);
        assertEquals(32, px[0]);
        assertTrue(px[4] > 190 && px[2] < 10, "red: " + Arrays.toString(px));
        Path gif = TestImages.solid(tmp.resolve("gif-inside.png"), 8, 8, Color.WHITE, "gif");
        assertEquals(255, decodeOnce(gif)[2], 5, "white, up to the GIF palette's rounding");

        String jp2 = reason(write("scan.jpg", OddFiles.jpeg2000()));
        assertTrue(jp2.contains("JPEG 2000 is not supported") && jp2.contains("named .jpg"), jp2);
        String heic = reason(write("phone.heic", OddFiles.heic()));
        assertTrue(heic.contains("HEIC") && heic.contains("convert it to JPEG or PNG"), heic);
        String svg = reason(write("d.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains("SVG"), svg);
        String raw = reason(write("camera.NEF", OddFiles.encode(".tiff", OddFiles.solid(CV_8UC3, 1, 2, 3))));
        assertTrue(raw.contains("camera raw") && raw.contains(".nef"), raw);
        String text = reason(write("notes.jpg", "just text\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(text.contains("not a readable image") && text.contains("JPEG, PNG, GIF, BMP, TIFF or WebP"), text);
        assertTrue(reason(write("empty.png", new byte[0])).contains("empty"));
    }

    /** Cut anywhere, a file is refused (libjpeg would fill a truncated JPEG with grey and only warn). */
    @Test
    void truncationAtAnyLengthIsNeverUsed() throws Exception {
        Mat photo = OddFiles.noisy(160, 120);
        List<byte[]> files = new ArrayList<>();
        for (String ext : List.of(".jpg", ".png", ".bmp", ".tiff", ".webp")) {
            files.add(OddFiles.encode(ext, photo.clone()));
        }
        java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(60, 40,
                java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                picture.setRGB(x, y, (x * 4) << 16 | (y * 6) << 8 | ((x * y) & 0xFF));
            }
        }
        files.add(Files.readAllBytes(TestImages.write(picture, tmp.resolve("g.gif"), "gif")));
        photo.close();
        for (byte[] whole : files) {
            Path file = write("whole", whole);
            decodeOnce(file); // the complete file is fine
            List<Integer> used = new ArrayList<>();
            // every length near the ends, and about 300 in between
            for (int n = 1; n < whole.length; n += n < 64 || n > whole.length - 64 ? 1 : Math.max(1, whole.length / 300)) {
                Path cut = write("cut", Arrays.copyOf(whole, n));
                try {
                    decodeOnce(cut);
                    used.add(n);
                } catch (UnreadableImageException expected) {
                    // refused, as it must be
                }
            }
            assertEquals(List.of(), used, "lengths of a " + whole.length + "-byte file that were used");
        }
    }

    /**
     * A JPEG cut short and closed with an end marker (what some download and "repair" tools leave) decodes in
     * libjpeg with a grey remainder and only a warning: its scans are counted to their last block, at every cut.
     */
    @Test
    void aJpegCutShortAndClosedWithAnEndMarkerIsRefused() throws Exception {
        List<byte[]> jpegs = List.of(OddFiles.encode(".jpg", OddFiles.noisy(160, 120)),
                OddFiles.encode(".jpg", OddFiles.noisy(160, 120), IMWRITE_JPEG_RST_INTERVAL, 3),
                OddFiles.encode(".jpg", OddFiles.noisy(33, 17), IMWRITE_JPEG_QUALITY, 30));
        for (byte[] whole : jpegs) {
            decodeOnce(write("whole.jpg", whole));
            List<Integer> used = new ArrayList<>();
            for (int n = 2; n < whole.length - 2; n += Math.max(1, whole.length / 400)) {
                byte[] closed = Arrays.copyOf(whole, n + 2);
                closed[n] = (byte) 0xFF;
                closed[n + 1] = (byte) 0xD9;
                try {
                    decodeOnce(write("closed.jpg", closed));
                    used.add(n);
                } catch (UnreadableImageException expected) {
                    // refused, as it must be
                }
            }
            assertEquals(List.of(), used, "cuts of a " + whole.length + "-byte JPEG that were used");
        }
        byte[] closed = Arrays.copyOf(jpegs.get(0), jpegs.get(0).length / 2 + 2);
        closed[closed.length - 2] = (byte) 0xFF;
        closed[closed.length - 1] = (byte) 0xD9;
        assertTrue(reason(write("half.jpg", closed)).contains("premature end of data segment"));
    }

    /** No false alarm on real material: every image of the shared data sets passes the gate. */
    @Test
    void everyImageOfTheSharedDataSetsPasses() throws Exception {
        Path shared = org.graft.common.SharedMaterial.find().orElse(null);
        assumeTrue(shared != null && Files.isDirectory(shared.resolve("datasets")), "Skipped: no shared material");
        List<Path> files;
        try (var walk = Files.walk(shared.resolve("datasets"))) {
            files = walk.filter(Files::isRegularFile).filter(ImageFormats::isImageName).toList();
        }
        List<String> refused = new ArrayList<>();
        for (Path f : files) {
            try (Mat m = gate.decode(f, new ImageGate.Request(448, false))) {
                assertTrue(m.cols() > 0);
            } catch (UnreadableImageException e) {
                refused.add(f + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), refused, files.size() + " images tried");
    }

    @Test
    void damageTheDecoderWouldLetThroughIsRefused() throws Exception {
        byte[] png = OddFiles.encode(".png", OddFiles.noisy(64, 48));
        png[png.length - 30] ^= 0x55;
        assertTrue(reason(write("crc.png", png)).contains("checksum"));
        byte[] jpeg = OddFiles.encode(".jpg", OddFiles.noisy(64, 48));
        int second = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF)); // after the first segment
        byte[] stray = new byte[jpeg.length + 3];
        System.arraycopy(jpeg, 0, stray, 0, second);
        stray[second] = 'x'; // garbage between two segments: libjpeg only warns ("extraneous bytes")
        stray[second + 1] = 'y';
        stray[second + 2] = 'z';
        System.arraycopy(jpeg, second, stray, second + 3, jpeg.length - second);
        assertTrue(reason(write("stray.jpg", stray)).contains("damaged"));
    }

    @Test
    void aFifoAndALinkToDevZeroAreRefusedWithoutReading() throws Exception {
        Path zero = Files.createSymbolicLink(tmp.resolve("zero.jpg"), Path.of("/dev/zero"));
        assumeTrue(Files.exists(zero), "needs /dev/zero");
        String z = assertTimeoutPreemptively(HANG_GUARD, () -> reason(zero));
        assertTrue(z.contains("not a regular file") && z.contains("character device"), z);
        Path fifo = tmp.resolve("pipe.jpg");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0, "needs mkfifo");
        String f = assertTimeoutPreemptively(HANG_GUARD, () -> reason(fifo));
        assertTrue(f.contains("named pipe (FIFO)"), f);
        Path viaLink = Files.createSymbolicLink(tmp.resolve("link-to-pipe.png"), fifo);
        assertTrue(assertTimeoutPreemptively(HANG_GUARD, () -> reason(viaLink)).contains("FIFO"));
        assertTrue(reason(Files.createSymbolicLink(tmp.resolve("gone.jpg"), tmp.resolve("nothing")))
                .contains("a link to a file that does not exist"));
        assertTrue(reason(Files.createDirectories(tmp.resolve("folder.jpg"))).contains("a folder"));
    }

    /** Float TIFFs are 0-1 by convention; decoded the same way every time (ImageIO's plugin order made it vary). */
    @Test
    void floatAndSixteenBitTiffsDecodeToTheirColoursEveryTime() throws Exception {
        Path grey = write("grey.tif", OddFiles.encode(".tiff", OddFiles.solid(CV_32FC1, 0.75, 0, 0)));
        Path rgb = write("rgb.tif", OddFiles.floatTiff(32, 24, 0.8f, 0.2f, 0.1f));
        Path wide = write("wide.tif", OddFiles.floatTiff(32, 24, 250f, 100f, 10f));
        Path nan = write("nan.tif", OddFiles.floatTiff(32, 24, Float.NaN, Float.POSITIVE_INFINITY, 0.5f));
        Path big = write("big.tif", OddFiles.encode(".tiff", OddFiles.solid(CV_32FC1, 1000, 0, 0)));
        Path sixteen = write("16.tif", OddFiles.encode(".tiff", OddFiles.solid(CV_16UC3, 0, 32768, 65535)));
        for (int round = 0; round < 2; round++) {
            assertArrayEquals(new int[]{32, 24, 191, 191, 191}, decodeOnce(grey), "0.75 grey");
            assertArrayEquals(new int[]{32, 24, 26, 51, 204}, decodeOnce(rgb), "0.1/0.2/0.8 as B, G, R");
            assertArrayEquals(new int[]{32, 24, 10, 100, 250}, decodeOnce(wide), "0-255 floats");
            assertArrayEquals(new int[]{32, 24, 4, 4, 4}, decodeOnce(big), "1000 of 65535");
            assertArrayEquals(new int[]{32, 24, 128, 255, 0}, decodeOnce(nan), "NaN black, infinity white");
            assertArrayEquals(new int[]{32, 24, 0, 128, 255}, decodeOnce(sixteen), "16 bits to 8");
        }
    }

    @Test
    void anImagesInternalErrorIsItsReasonNotTheEndOfTheCommand() {
        Path file = tmp.resolve("x.png");
        UnreadableImageException bug = assertThrows(UnreadableImageException.class,
                () -> gate.guarded(file, () -> {
                    throw new ArrayIndexOutOfBoundsException("Index 3 out of bounds for length 3");
                }));
        assertTrue(bug.getMessage().startsWith("could not be decoded (internal error: "), bug.getMessage());
        assertTrue(bug.getCause() instanceof ArrayIndexOutOfBoundsException);
        UnreadableImageException memory = assertThrows(UnreadableImageException.class,
                () -> gate.guarded(file, () -> {
                    throw new OutOfMemoryError("Java heap space");
                }));
        assertTrue(memory.getMessage().contains("OutOfMemoryError"), memory.getMessage());
        assertThrows(NoClassDefFoundError.class, () -> gate.guarded(file, () -> {
            throw new NoClassDefFoundError("a broken installation is not the image's fault");
        }));
    }

    /** The pixel limit holds for every format, from the header, before anything is decoded. */
    @Test
    void hugeImagesAreRefusedFromTheirHeader() throws Exception {
        byte[] png = OddFiles.encode(".png", OddFiles.solid(CV_8UC3, 1, 2, 3));
        // IHDR's width and height (bytes 16-23) say 20000 x 20000; the checksum is fixed up to match
        java.nio.ByteBuffer.wrap(png).putInt(16, 20_000).putInt(20, 20_000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
        String r = reason(write("huge.png", png));
        assertTrue(r.contains("too large") && r.contains("20000x20000"), r);
    }

    @Test
    void namesThatCannotBeWrittenBackAreRefusedNamingTheBytes() throws Exception {
        Path ok = TestImages.solid(tmp.resolve("ok.png"), 4, 4, Color.RED, "png");
        Process cp = new ProcessBuilder("sh", "-c", "cp \"$0\" \"$1/$(printf 'caf\\351.png')\"", ok.toString(),
                tmp.toString()).start();
        assumeTrue(cp.waitFor() == 0, "needs sh and cp");
        Path latin1;
        try (var files = Files.list(tmp)) {
            latin1 = files.filter(p -> p.getFileName().toString().startsWith("caf")).findFirst().orElseThrow();
        }
        String r = reason(latin1);
        assertTrue(r.contains("not valid UTF-8") && r.contains("caf%E9.png") && r.contains("rename"), r);
        Path backslash = TestImages.solid(tmp.resolve("a\\b.png"), 4, 4, Color.RED, "png");
        assertEquals(4, decodeOnce(backslash)[0], "a backslash is just a character of the name");
    }

    @Test
    void aTooLargeFileIsRefusedFromItsSize() throws Exception {
        Path sparse = tmp.resolve("sparse.tif");
        try (var ch = java.nio.channels.FileChannel.open(sparse, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'I', 'I', 42, 0}), ImageFile.MAX_BYTES); // 2 GB of holes
        }
        String r = assertTimeoutPreemptively(HANG_GUARD, () -> reason(sparse));
        assertTrue(r.contains("too large") && r.contains("GB"), r);
    }

    @Test
    void bytesInNativeMemoryAreReadWhole() throws Exception {
        Path file = write("b.bin", new byte[]{1, 2, 3, 4, 5});
        try (BytePointer p = ImageFile.readAll(file, 5)) {
            assertEquals(5, p.limit());
            assertEquals(5, p.get(4));
        }
    }
}
