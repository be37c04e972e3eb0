package org.graft.cli;

import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;
import org.graft.data.ImageFormats;
import org.graft.model.ModelBundle;
import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.zip.ZipFile;

/**
 * Where a command writes one file of its own (predictions, an ONNX export, metrics), checked before any work: the
 * path must name a file in a folder Graft can write, and an existing file there is replaced only when it is this
 * command's own earlier output. An image, a trained model, a file of a run folder, or any other file Graft did not
 * write is replaced only with {@code --overwrite}; a file the command reads is never replaced.
 */
final class OutputTarget {
    /** What a command writes, and how its own earlier output is recognised. */
    enum Kind {
        PREDICTIONS_CSV("predictions (CSV)"), PREDICTIONS_JSONL("predictions (JSON Lines)"), ONNX("an ONNX export"),
        METRICS("metrics (JSON)");

        private final String what;

        Kind(String what) {
            this.what = what;
        }
    }

    /** How many folders up a file may sit inside a run folder (evaluations/x.json, checkpoints/last.zip). */
    private static final int RUN_DEPTH = 3;

    private OutputTarget() {
    }

    /**
     * Checks {@code out} for {@code kind} and makes its folder; returns the path to write.
     *
     * @param inputs files or folders the command reads: never replaced, never written into
     */
    static Path check(Path out, Kind kind, boolean overwrite, Collection<Path> inputs) {
        if (out == null || out.toString().isBlank()) {
            throw new BadOptionException("--out is empty.", "Give the file to write, e.g. --out " + example(kind)
                    + ".");
        }
        Path abs = out.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new BadOptionException("--out " + out + " is a folder.", "Give a file name, e.g. --out "
                    + out.resolve(example(kind)) + ".");
        }
        for (Path input : inputs) {
            if (input != null && (sameFile(abs, input) || Files.isDirectory(input)
                    && abs.startsWith(input.toAbsolutePath().normalize()) && ImageFormats.isImageName(abs))) {
                throw new BadOptionException("--out " + out + " is a file this command reads.",
                        "Write to another file, e.g. --out " + example(kind) + ".");
            }
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new BadOptionException("--out " + out + " is not a regular file (a device, a pipe?).",
                    "Write to a file, e.g. --out " + example(kind) + ".");
        }
        if (Files.exists(abs)) {
            String refusal = refusal(abs, kind);
            if (refusal != null && !overwrite) {
                throw new BadOptionException("--out " + out + " " + refusal + ": Graft does not replace it.",
                        "Write to another file, or add --overwrite to replace it.");
            }
        }
        requireWritable(abs.getParent(), out);
        return abs;
    }

    /** Why an existing file must not be replaced, or null when it is this command's own earlier output. */
    private static String refusal(Path file, Kind kind) {
        Path run = runHolding(file);
        if (run != null) {
            return "is part of the run " + run;
        }
        if (isGraftModel(file)) {
            return "is a trained model";
        }
        if (ImageFormats.isImageName(file) || ImageFormats.isImageContent(file)) {
            return "is an image";
        }
        return isOwnOutput(file, kind) ? null : "was not written by Graft as " + kind.what;
    }

    /**
     * The run folder {@code file} belongs to (a file of its layout, or inside one of its folders), or null. A run's
     * predictions.csv is the one exception: the demo writes it, and predict may write it again.
     */
    private static Path runHolding(Path file) {
        Path dir = file.getParent();
        for (int up = 0; up < RUN_DEPTH && dir != null; up++, dir = dir.getParent()) {
            String top = dir.relativize(file).getName(0).toString();
            boolean runs = RunFolder.isLayoutName(top) || top.equals(RunFolder.LOCK) || top.equals(RunFolder.REPLACED);
            if (runs && !(up == 0 && top.equals(RunFolder.PREDICTIONS)) && RunFolder.at(dir).isGraftRun()) {
                return dir;
            }
        }
        return null;
    }

    private static boolean isGraftModel(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(ModelBundle.DESCRIPTION_ENTRY) != null;
        } catch (IOException notAZip) {
            return false;
        }
    }

    /** Whether the file starts (or, for ONNX, holds its metadata) the way this command writes it. */
    private static boolean isOwnOutput(Path file, Kind kind) {
        try {
            return switch (kind) {
                case PREDICTIONS_CSV -> head(file, 64).startsWith("path,label,probability,margin,needs_review");
                case PREDICTIONS_JSONL -> head(file, 256).startsWith("{\"path\":");
                case METRICS -> {
                    String head = head(file, 4096);
                    yield head.trim().startsWith("{") && head.contains("\"accuracy\"") && head.contains("\"macroF1\"");
                }
                case ONNX -> name(file).endsWith(".onnx") && contains(file, "graft.labels");
            };
        } catch (IOException unreadable) {
            return false;
        }
    }

    private static String head(Path file, int bytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(bytes), StandardCharsets.UTF_8);
        }
    }

    /** Graft writes its metadata last: look at the end of the file. */
    private static boolean contains(Path file, String marker) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Math.max(0, size - 65536));
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(marker);
        }
    }

    private static String name(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    private static boolean sameFile(Path out, Path input) {
        Path in = input.toAbsolutePath().normalize();
        if (out.equals(in)) {
            return true;
        }
        try {
            return Files.exists(out) && Files.exists(in) && Files.isSameFile(out, in);
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes the folder and tries a file in it, so that an unwritable --out fails now, not after the work. */
    private static void requireWritable(Path folder, Path out) {
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".graft-", ".probe");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            throw new EnvironmentException("Cannot write --out " + out + ": " + e.getMessage(),
                    "Choose a folder you can write to.", e);
        }
    }

    private static String example(Kind kind) {
        return switch (kind) {
            case PREDICTIONS_CSV -> "predictions.csv";
            case PREDICTIONS_JSONL -> "predictions.jsonl";
            case ONNX -> "model.onnx";
            case METRICS -> "metrics.json";
        };
    }
}
