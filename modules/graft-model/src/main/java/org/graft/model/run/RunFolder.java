package org.graft.model.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.graft.common.AtomicFiles;
import org.graft.common.BadOptionException;
import org.graft.common.Checksums;
import org.graft.common.DamagedFileException;
import org.graft.common.EnvironmentException;
import org.graft.common.Json;
import org.graft.data.IgnoredFile;
import org.graft.data.NearDuplicates;
import org.graft.data.SkipLog;
import org.graft.data.SkippedImage;
import org.graft.data.Split;
import org.graft.model.Checkpoint;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run folder ({@code graft train --out}): the one definition of what it holds and how each file is read and
 * written. Every command that makes or reads a run (train, evaluate, report, rerun, the demo, Spark) goes through
 * it, so the layout lives here alone.
 *
 * <pre>
 * model.zip             the best epoch's classifier (ModelBundle)
 * checkpoints/last.zip  the latest epoch's learning graph and run state (Checkpoint), for --resume
 * recipe.json           what the run was asked to do: enough to run it again (written by graft-train)
 * split.csv             which image went to training or validation, with its label (and group)
 * labels.txt            the classes, one a line, in output order
 * history.json          one EpochStats per finished epoch
 * metrics.json          the best model's validation figures (EvaluationReport)
 * skipped.csv           files that could not be used, with the reason
 * ignored.csv           files and folders left alone as not images (only when there are any)
 * near-duplicates.csv   validation images that look like training images (only when there are any)
 * augmentation/         sample augmented images (only with --augment)
 * ui-stats.dl4j         DL4J's training statistics (only with --ui)
 * report.html           the report
 * predictions.csv       the demo's predictions on its held-back images
 * folds.json, fold-K/   cross-validation's summary and one run folder per fold (--folds)
 * evaluations/          graft evaluate on other data: one metrics file per data folder
 * .graft-run            the ownership marker: Graft made this folder (and which command)
 * .graft-lock           held while a command writes the folder (RunClaim)
 * .graft-replaced/      with --overwrite: the run being replaced, until the new one finishes (RunClaim)
 * </pre>
 */
public final class RunFolder {
    public static final String MODEL = ModelBundle.FILE_NAME;
    public static final String CHECKPOINT = "checkpoints/last.zip";
    public static final String RECIPE = "recipe.json";
    public static final String SPLIT = Split.MANIFEST_NAME;
    public static final String LABELS = "labels.txt";
    public static final String HISTORY = "history.json";
    public static final String METRICS = "metrics.json";
    public static final String SKIPPED = SkipLog.FILE_NAME;
    public static final String IGNORED = "ignored.csv";
    public static final String NEAR_DUPLICATES = "near-duplicates.csv";
    public static final String AUGMENTATION = "augmentation";
    public static final String UI_STATS = "ui-stats.dl4j";
    public static final String REPORT = "report.html";
    public static final String FOLDS = "folds.json";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String EVALUATIONS = "evaluations";
    public static final String MARKER = ".graft-run";
    public static final String LOCK = ".graft-lock";
    /** Where {@code --overwrite} keeps the run it replaces until the new run has finished (see {@link RunClaim}). */
    public static final String REPLACED = ".graft-replaced";
    /** The top-level names Graft writes into a run folder (besides cross-validation's fold-K folders). */
    static final Set<String> LAYOUT = Set.of(MODEL, CHECKPOINT.substring(0, CHECKPOINT.indexOf('/')), RECIPE, SPLIT,
            LABELS, HISTORY, METRICS, SKIPPED, IGNORED, NEAR_DUPLICATES, AUGMENTATION, UI_STATS, REPORT, FOLDS,
            PREDICTIONS, EVALUATIONS, MARKER);
    private static final Pattern FOLD = Pattern.compile("fold-[1-9][0-9]*");

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The run folder at {@code dir} (which need not exist yet). */
    public static RunFolder at(Path dir) {
        return new RunFolder(dir);
    }

    /**
     * The run folder that holds {@code runOrModel}: a run folder itself, or the model.zip inside one (for commands
     * that take either).
     */
    public static RunFolder holding(Path runOrModel) {
        return new RunFolder(Files.isDirectory(runOrModel) ? runOrModel
                : runOrModel.toAbsolutePath().normalize().getParent());
    }

    public Path dir() {
        return dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public boolean has(String name) {
        return Files.exists(dir.resolve(name));
    }

    /** Whether {@code name} (a top-level entry of a run folder) is one Graft writes there; the lock aside. */
    public static boolean isLayoutName(String name) {
        return LAYOUT.contains(name) || FOLD.matcher(name).matches();
    }

    /** Fold {@code k} (from 1) of a cross-validation run. */
    public RunFolder fold(int k) {
        return new RunFolder(dir.resolve("fold-" + k));
    }

    /** The command that made this run ("train", "demo"; "train" for runs made before markers). */
    public String madeBy() {
        return RunClaim.madeBy(this);
    }

    /** Whether this folder is a run folder Graft made (its marker, or the files of a run made before markers). */
    public boolean isGraftRun() {
        return RunClaim.isGraftRun(this);
    }

    // the model and its checkpoint

    public ModelBundle readModel() {
        return ModelBundle.load(dir);
    }

    public ModelDescription readDescription() {
        return ModelBundle.readDescription(dir);
    }

    public void writeModel(ModelBundle bundle) throws IOException {
        bundle.save(file(MODEL));
    }

    public boolean hasCheckpoint() {
        return Files.isRegularFile(file(CHECKPOINT));
    }

    public Checkpoint readCheckpoint() {
        return Checkpoint.load(file(CHECKPOINT));
    }

    public void writeCheckpoint(Checkpoint checkpoint) throws IOException {
        Files.createDirectories(file(CHECKPOINT).getParent());
        checkpoint.save(file(CHECKPOINT));
    }

    // what the run learnt from

    public void writeSplit(Split split) throws IOException {
        split.writeManifest(file(SPLIT));
    }

    /** The split as recorded, with paths resolved against the data folders the model's description names. */
    public Split readSplit(ModelDescription description) {
        Path manifest = file(SPLIT);
        if (!Files.isRegularFile(manifest)) {
            throw new BadOptionException(dir + " has no " + SPLIT + ".",
                    "Give the images to evaluate on with --data DIR.");
        }
        return Split.readManifest(manifest, Path.of(description.data().trainFolder()),
                Path.of(description.data().validationFolder()), description.labels());
    }

    public void writeLabels(List<String> labels) throws IOException {
        AtomicFiles.write(file(LABELS), (String.join("\n", labels) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public void writeSkipped(SkipLog log) throws IOException {
        log.write(file(SKIPPED));
    }

    public List<SkippedImage> readSkipped() {
        return Files.isRegularFile(file(SKIPPED)) ? SkipLog.read(file(SKIPPED)) : List.of();
    }

    /** Lists the files left alone as not images, or removes an old list when there are none. */
    public void writeIgnored(List<IgnoredFile> ignored) throws IOException {
        Path f = file(IGNORED);
        if (ignored.isEmpty()) {
            Files.deleteIfExists(f);
            return;
        }
        AtomicFiles.write(f, out -> {
            try (CSVPrinter csv = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader("path", "reason").build())) {
                for (IgnoredFile i : ignored) {
                    csv.printRecord(i.path(), i.reason());
                }
            }
        });
    }

    /** Writes the pairs, or removes an old file when there are none (a rerun must not keep stale warnings). */
    public void writeNearDuplicates(List<NearDuplicates.Pair> pairs) throws IOException {
        if (pairs.isEmpty()) {
            Files.deleteIfExists(file(NEAR_DUPLICATES));
        } else {
            NearDuplicates.writeCsv(pairs, file(NEAR_DUPLICATES));
        }
    }

    public List<NearDuplicates.Pair> readNearDuplicates() {
        return Files.isRegularFile(file(NEAR_DUPLICATES)) ? NearDuplicates.readCsv(file(NEAR_DUPLICATES)) : List.of();
    }

    // how training went

    public void writeHistory(List<EpochStats> history) {
        Json.write(file(HISTORY), history);
    }

    /** The history; empty when the run has none yet. */
    public List<EpochStats> readHistory() {
        Path f = file(HISTORY);
        if (!Files.isRegularFile(f)) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(f.toFile(), new TypeReference<List<EpochStats>>() { });
        } catch (IOException e) {
            throw new DamagedFileException(f + " cannot be read: " + e.getMessage(),
                    "It is rewritten after every epoch; train again (or --resume) to restore it.", e);
        }
    }

    public void writeMetrics(EvaluationReport report) {
        report.writeJson(file(METRICS));
    }

    public boolean hasMetrics() {
        return Files.isRegularFile(file(METRICS));
    }

    public EvaluationReport readMetrics() {
        return EvaluationReport.readJson(file(METRICS));
    }

    // evaluations on other data

    /** An evaluation of the run's model on another folder of images ({@code graft evaluate --data}). */
    public record Evaluation(String data, String evaluatedAt, EvaluationReport report) {
    }

    /** The file the evaluation on {@code data} goes to: one per data folder, named after it. */
    public Path evaluationFile(Path data) {
        Path abs = data.toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? "data" : abs.getFileName().toString()
                .replaceAll("[^\\p{L}\\p{N}._-]+", "_");
        String tag = Checksums.sha256(abs.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 8);
        return file(EVALUATIONS).resolve(name + "-" + tag + ".json");
    }

    public void writeEvaluation(Path data, EvaluationReport report) throws IOException {
        Path file = evaluationFile(data);
        Files.createDirectories(file.getParent());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", data.toAbsolutePath().normalize().toString());
        json.put("evaluatedAt", Instant.now().toString());
        json.putAll(report.toJson());
        Json.write(file, json);
    }

    /** The evaluations on other data, oldest first; empty when there are none. */
    public List<Evaluation> readEvaluations() {
        Path dir = file(EVALUATIONS);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Evaluation> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode head = Json.read(f, JsonNode.class);
                out.add(new Evaluation(head.path("data").asText(), head.path("evaluatedAt").asText(),
                        EvaluationReport.readJson(f)));
            }
        } catch (IOException e) {
            throw new EnvironmentException("Cannot list " + dir + ": " + e.getMessage(), "Check its permissions.", e);
        }
        out.sort(Comparator.comparing(Evaluation::evaluatedAt));
        return out;
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
