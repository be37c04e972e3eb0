package org.graft.predict;

import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.data.ImageFiles;
import org.graft.data.ImageFormats;
import org.graft.data.ImageLoader;
import org.graft.data.PrefetchingLoader;
import org.graft.engine.Engine;
import org.graft.engine.EngineChoice;
import org.graft.engine.InferenceEngine;
import org.graft.model.ModelBundle;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Classifies new images with a trained model, preparing each exactly as in training (the preprocessing comes
 * from the model bundle, the decoding from graft-data's {@code ImageGate}). Images that cannot be read get a row
 * with the reason, the same reason training gives them, so none goes missing and one bad file never costs the
 * others their rows.
 */
public final class Predictor {
    static final String NO_VALID_PROBABILITIES = "The model gave no valid probabilities for this image (NaN or "
            + "infinite outputs: its values overflow somewhere in the network). Check the model with graft evaluate "
            + "on known images; retrain it if they fail too.";

    private final ModelBundle bundle;
    private final ImageLoader loader;
    private final int batchSize;
    private final Engine engine;
    private EngineChoice engineUsed;

    public Predictor(ModelBundle bundle, int batchSize) {
        this(bundle, batchSize, Engine.AUTO);
    }

    /**
     * With {@link Engine#ONNXRUNTIME}, the model runs in ONNX Runtime (exported once, in memory); with
     * {@link Engine#AUTO}, there if its first batch gives DL4J's probabilities ({@link #engineUsed()} says).
     */
    public Predictor(ModelBundle bundle, int batchSize, Engine engine) {
        this.bundle = bundle;
        this.loader = new ImageLoader(bundle.description().preprocessing());
        this.batchSize = Math.max(1, batchSize);
        this.engine = engine;
    }

    /**
     * All image files under a folder (recursively, sorted; hidden and system folders left out, links to folders
     * followed but not round a loop), or the single file given. Files whose names are not images are not listed;
     * {@link #survey} says which, for a count.
     */
    public static List<Path> collectImages(Path input) {
        return collectImages(survey(input), input);
    }

    /** The images of a {@link #survey} of {@code input}, sorted; none at all is a mistake worth saying. */
    public static List<Path> collectImages(ImageFiles.Listing listing, Path input) {
        List<Path> images = listing.images().stream().sorted().toList();
        if (images.isEmpty()) {
            throw new BadDataException("No images (" + String.join(", ", ImageFormats.EXTENSIONS) + ") in "
                    + input.toAbsolutePath(), "Point --input at a folder of images or at one image.");
        }
        return images;
    }

    /**
     * What is under {@code input}, found as a training scan finds it: the image files (every one gets a row, a
     * label or the reason it has none), the files ignored as not images, and what could not be walked.
     */
    public static ImageFiles.Listing survey(Path input) {
        if (!Files.exists(input, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.exists(input)) {
            throw new BadOptionException("Input " + input.toAbsolutePath() + " does not exist.",
                    "Give an image file or a folder of images.");
        }
        if (!Files.isDirectory(input)) {
            // a single file: whatever it is (a broken link, a FIFO), it gets its row with the reason
            return new ImageFiles.Listing(List.of(input), List.of(), List.of());
        }
        return ImageFiles.list(input);
    }

    /** Predicts every image; {@code progress} is told how many images each batch finished. */
    public List<Prediction> predict(List<Path> images, int topK, IntConsumer progress) {
        List<String> labels = bundle.description().labels();
        // at least two, so that the margin between the best and the runner-up can be reported
        int k = Math.max(Math.min(2, labels.size()), Math.min(topK, labels.size()));
        List<Prediction> out = new ArrayList<>(images.size());
        try (InferenceEngine model = InferenceEngine.create(engine, bundle.graph(),
                bundle.description().preprocessing())) {
            predictInto(out, images, k, model, progress);
            engineUsed = model.choice();
        }
        return out;
    }

    /** What ran the model in the last {@link #predict} and why (null before one). */
    public EngineChoice engineUsed() {
        return engineUsed;
    }

    private void predictInto(List<Prediction> out, List<Path> images, int k, InferenceEngine model,
                             IntConsumer progress) {
        List<String> labels = bundle.description().labels();
        // the same file reached twice through a link is skipped as a training scan skips it (one verdict)
        Map<Path, Path> aliases = ImageFiles.aliases(images);
        List<List<Path>> batches = new ArrayList<>();
        List<Path> toDecode = images.stream().filter(p -> !aliases.containsKey(p)).toList();
        for (int start = 0; start < toDecode.size(); start += batchSize) {
            batches.add(toDecode.subList(start, Math.min(toDecode.size(), start + batchSize)));
        }
        Map<Path, Prediction> byPath = new HashMap<>();
        // the next batch decodes while the model works on this one
        try (PrefetchingLoader prefetched = new PrefetchingLoader(loader, batches)) {
            for (List<Path> batch : batches) {
                ImageLoader.Batch loaded = prefetched.next();
                List<Prediction> rows = new ArrayList<>();
                predictBatch(rows, batch, loaded, k, model, labels);
                rows.forEach(p -> byPath.put(p.path(), p));
                progress.accept(batch.size());
            }
        }
        aliases.forEach((alias, first) -> byPath.put(alias, new Prediction(alias, List.of(),
                ImageFiles.aliasReason(first))));
        progress.accept(aliases.size());
        for (Path image : images) {
            out.add(byPath.get(image)); // in the order given
        }
    }

    private static void predictBatch(List<Prediction> out, List<Path> batch, ImageLoader.Batch loaded, int k,
                                     InferenceEngine model, List<String> labels) {
        INDArray probs = loaded.features() == null ? null : model.output(loaded.features());
        Map<Path, String> errors = new HashMap<>();
        loaded.failures().forEach(e -> errors.put(e.path(), e.getMessage()));
        int row = 0;
        for (Path file : batch) {
            if (errors.containsKey(file)) {
                out.add(new Prediction(file, List.of(), errors.get(file)));
                continue;
            }
            float[] p = probs.getRow(row++).toFloatVector();
            if (!allFinite(p)) {
                // finite weights can still overflow on some inputs; a NaN must not rank as a class
                out.add(new Prediction(file, List.of(), NO_VALID_PROBABILITIES));
                continue;
            }
            List<Prediction.Ranked> ranked = IntStream.range(0, p.length).boxed()
                    .sorted(Comparator.comparingDouble(c -> -p[c])).limit(k)
                    .map(c -> new Prediction.Ranked(labels.get(c), p[c])).toList();
            out.add(new Prediction(file, ranked, null));
        }
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
