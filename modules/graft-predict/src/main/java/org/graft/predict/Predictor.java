package org.graft.predict;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.graft.common.AtomicFiles;
import org.graft.common.GraftException;
import org.graft.data.ImageFormats;
import org.graft.data.ImageLoader;
import org.graft.model.ModelBundle;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Classifies new images with a trained model, preparing each exactly as in training (the preprocessing comes
 * from the model bundle). Images that cannot be read get a row with the reason, so none goes missing.
 */
public final class Predictor {
    private final ModelBundle bundle;
    private final ImageLoader loader;
    private final int batchSize;

    public Predictor(ModelBundle bundle, int batchSize) {
        this.bundle = bundle;
        this.loader = new ImageLoader(bundle.description().preprocessing());
        this.batchSize = Math.max(1, batchSize);
    }

    /** All image files under a folder (recursively, sorted), or the single file given. */
    public static List<Path> collectImages(Path input) {
        if (!Files.exists(input)) {
            throw new GraftException("Input " + input.toAbsolutePath() + " does not exist.",
                    "Give an image file or a folder of images.");
        }
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        try (Stream<Path> files = Files.walk(input)) {
            List<Path> images = files.filter(Files::isRegularFile).filter(ImageFormats::isImageName).sorted()
                    .toList();
            if (images.isEmpty()) {
                throw new GraftException("No images (" + String.join(", ", ImageFormats.EXTENSIONS) + ") in "
                        + input.toAbsolutePath(), "Point --input at a folder of images or at one image.");
            }
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Predicts every image; {@code progress} is told how many images each batch finished. */
    public List<Prediction> predict(List<Path> images, int topK, IntConsumer progress) {
        List<String> labels = bundle.description().labels();
        int k = Math.max(1, Math.min(topK, labels.size()));
        List<Prediction> out = new ArrayList<>(images.size());
        for (int start = 0; start < images.size(); start += batchSize) {
            List<Path> batch = images.subList(start, Math.min(images.size(), start + batchSize));
            ImageLoader.Batch loaded = loader.loadBatch(batch);
            INDArray probs = loaded.features() == null ? null
                    : bundle.graph().outputSingle(false, loaded.features());
            Map<Path, String> errors = new HashMap<>();
            loaded.failures().forEach(e -> errors.put(e.path(), e.getMessage()));
            int row = 0;
            for (Path file : batch) {
                if (errors.containsKey(file)) {
                    out.add(new Prediction(file, List.of(), errors.get(file)));
                    continue;
                }
                float[] p = probs.getRow(row++).toFloatVector();
                List<Prediction.Ranked> ranked = IntStream.range(0, p.length).boxed()
                        .sorted(Comparator.comparingDouble(c -> -p[c])).limit(k)
                        .map(c -> new Prediction.Ranked(labels.get(c), p[c])).toList();
                out.add(new Prediction(file, ranked, null));
            }
            progress.accept(batch.size());
        }
        return out;
    }

    /**
     * Writes {@code path,label,probability[,label_2,probability_2,...],error}: one row per image, best class
     * first, then the runners-up up to {@code topK}.
     */
    public static void writeCsv(List<Prediction> predictions, Path file, int topK) throws IOException {
        List<String> header = new ArrayList<>(List.of("path", "label", "probability"));
        for (int i = 2; i <= topK; i++) {
            header.add("label_" + i);
            header.add("probability_" + i);
        }
        header.add("error");
        AtomicFiles.write(file, out -> {
            try (CSVPrinter csv = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).build())) {
                for (Prediction p : predictions) {
                    List<Object> row = new ArrayList<>();
                    row.add(p.path().toString());
                    for (int i = 0; i < topK; i++) {
                        if (i < p.ranked().size()) {
                            row.add(p.ranked().get(i).label());
                            row.add(String.format(Locale.ROOT, "%.6f", p.ranked().get(i).probability()));
                        } else {
                            row.add("");
                            row.add("");
                        }
                    }
                    row.add(p.error() == null ? "" : p.error());
                    csv.printRecord(row);
                }
            }
        });
    }
}
