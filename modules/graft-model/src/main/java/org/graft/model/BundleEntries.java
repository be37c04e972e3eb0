package org.graft.model;

import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.EnvironmentException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The entries of a model zip, read whole and checked before anything parses them: only the entries a Graft
 * bundle holds are accepted (DL4J's {@code preprocessor.bin} would be read with Java deserialization, so a zip
 * that has one is refused), each entry's CRC-32 must match its bytes, and no entry may inflate beyond a bound.
 * A damaged file is thus refused here, with a clear message, instead of reaching DL4J's parsers.
 */
final class BundleEntries {
    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String UPDATER = "updaterState.bin";
    private static final Set<String> KNOWN = Set.of(CONFIGURATION, COEFFICIENTS, UPDATER,
            ModelBundle.DESCRIPTION_ENTRY, Checkpoint.STATE_ENTRY);
    /** An EfficientNet-B0 bundle holds 21 MB of weights; this leaves room for models fifty times larger. */
    private static final long MAX_ARRAY_BYTES = 1L << 30;
    /** The JSON entries (configuration, description, checkpoint state) of real models hold well under 1 MB. */
    private static final long MAX_JSON_BYTES = 64L << 20;
    /** Everything a bundle inflates to, read into memory at once: weights and optimiser state together. */
    private static final long MAX_TOTAL_BYTES = 2L * MAX_ARRAY_BYTES;

    private final Path zip;
    private final Map<String, byte[]> entries;

    private BundleEntries(Path zip, Map<String, byte[]> entries) {
        this.zip = zip;
        this.entries = entries;
    }

    /** Reads the named entries (all Graft entries when {@code only} is empty) and checks their checksums. */
    static BundleEntries read(Path zip, Set<String> only) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            List<ZipEntry> wanted = new ArrayList<>();
            Set<String> names = new HashSet<>();
            long claimed = 0;
            Enumeration<? extends ZipEntry> all = zf.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                if (!KNOWN.contains(e.getName())) {
                    throw new DamagedFileException(zip + " holds an entry '" + e.getName()
                            + "' that no Graft model has.", "Use a model.zip written by 'graft train'; Graft does not "
                            + "open other zips, as some of DL4J's entries would run code from the file.");
                }
                if (!names.add(e.getName())) {
                    throw damaged(zip, "it holds two entries named " + e.getName());
                }
                if (only.isEmpty() || only.contains(e.getName())) {
                    wanted.add(e);
                    // the sizes the zip states are checked before anything is read, the real ones as they come
                    claimed += Math.max(0, e.getSize());
                }
            }
            if (claimed > MAX_TOTAL_BYTES) {
                throw damaged(zip, "its entries claim " + claimed + " bytes in all, more than any Graft model holds");
            }
            long read = 0;
            for (ZipEntry e : wanted) {
                byte[] bytes = checkedBytes(zf, e, zip);
                read += bytes.length;
                if (read > MAX_TOTAL_BYTES) {
                    throw damaged(zip, "its entries inflate to more than any Graft model holds");
                }
                found.put(e.getName(), bytes);
            }
        } catch (ZipException | EOFException e) {
            String other = otherKindOfModel(zip);
            if (other != null) {
                throw new BadOptionException(zip + " is " + other + ", not a model trained by Graft.",
                        "Give --model a run folder made by 'graft train' (or its model.zip); a backbone goes to "
                                + "'graft train --backbone " + zip + "'.");
            }
            throw new DamagedFileException(zip + " is not a readable zip file: " + e.getMessage(),
                    "The file may be truncated or damaged; copy or train it again.", e);
        } catch (IOException e) {
            throw new EnvironmentException("Could not read " + zip + ": " + e.getMessage(),
                    "Check that the file is readable.", e);
        }
        return new BundleEntries(zip, found);
    }

    /** What a file that is not a zip is, when it is a model of another kind; else null. */
    private static String otherKindOfModel(Path file) {
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n == 8 && head[0] == (byte) 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
                return "a Keras model (HDF5)";
            }
        } catch (IOException e) {
            return null;
        }
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx") ? "an ONNX model" : null;
    }

    /** The most bytes an entry of this name may inflate to. */
    private static long limit(String name) {
        return name.equals(COEFFICIENTS) || name.equals(UPDATER) ? MAX_ARRAY_BYTES : MAX_JSON_BYTES;
    }

    private static byte[] checkedBytes(ZipFile zf, ZipEntry e, Path zip) throws IOException {
        long limit = limit(e.getName());
        if (e.getSize() > limit) {
            throw damaged(zip, "its entry " + e.getName() + " claims " + e.getSize() + " bytes");
        }
        byte[] bytes;
        try (InputStream in = zf.getInputStream(e)) {
            bytes = in.readNBytes((int) (e.getSize() < 0 ? limit : e.getSize()));
            if (in.read() != -1) {
                throw damaged(zip, "its entry " + e.getName() + " is longer than it says");
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw damaged(zip, "the checksum of its entry " + e.getName() + " does not match its bytes");
        }
        return bytes;
    }

    private static DamagedFileException damaged(Path zip, String what) {
        return new DamagedFileException(zip + " is damaged: " + what + ".",
                "Copy the model again from where it was trained, or train it again.");
    }

    /** An entry's bytes; a missing required entry means the file is not a (whole) Graft model. */
    byte[] require(String name) {
        byte[] b = entries.get(name);
        if (b == null) {
            if (name.equals(ModelBundle.DESCRIPTION_ENTRY)) {
                throw new BadOptionException(zip + " is not a Graft model (no " + name + " inside).",
                        "Use a model.zip written by 'graft train' (a backbone goes to --backbone, not --model).");
            }
            throw damaged(zip, "it has no " + name);
        }
        return b;
    }

    /** An optional entry's bytes, or null. */
    byte[] optional(String name) {
        return entries.get(name);
    }

    Path file() {
        return zip;
    }
}
