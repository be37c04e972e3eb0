package org.graft.cli;

import org.graft.common.BadOptionException;
import org.graft.data.ImageFiles;
import org.graft.engine.Engine;
import org.graft.engine.EngineChoice;
import org.graft.model.ModelBundle;
import org.graft.predict.Prediction;
import org.graft.predict.PredictionWriter;
import org.graft.predict.Predictor;
import org.graft.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify new images with a trained model and write the answers to a CSV (or JSONL) file.",
        footer = {"", "Examples:", "  graft predict --model runs/demo --input new-scans --out predictions.csv",
                "  graft predict --model runs/demo/model.zip --input page-12.jpg --top-k 5 --format JSONL "
                        + "--out page-12.jsonl",
                "  graft predict --model runs/demo --input new-scans --review-below 0.8 --out to-check.csv",
                "  graft predict --model runs/demo --input archive --engine onnxruntime --batch 16"})
public final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN|ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "DIR|FILE", description = "An image, or a folder "
            + "searched recursively.")
    Path input;

    @Option(names = "--out", defaultValue = "predictions.csv", paramLabel = "FILE",
            description = "The file to write: .csv or .jsonl picks the format (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--top-k", defaultValue = "3",
            description = "How many classes to list per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--batch", defaultValue = "" + TrainingConfig.DEFAULT_INFERENCE_BATCH,
            description = "Images per forward pass; 8-16 is fastest on a CPU (graft bench --sweep measures it) "
                    + "(default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--review-below", defaultValue = "0.5", paramLabel = "P",
            description = "Flag images whose best probability is below P as needs_review (default: ${DEFAULT-VALUE}).")
    double reviewBelow;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|dl4j|onnxruntime",
            description = "What runs the model: auto = ONNX Runtime on a CPU where its first batch matches DL4J's "
                    + "to 1e-4 (else DL4J, with a warning), DL4J on a GPU; dl4j; or onnxruntime unchecked "
                    + "(default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--format", paramLabel = "CSV|JSONL",
            description = "CSV (one row per image) or JSONL (one JSON object per line) (default: from --out's "
                    + "extension, .csv or .jsonl).")
    PredictionWriter.Format format;

    @Mixin
    ProgressOptions progress;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() throws Exception {
        if (topK < 1) {
            throw new BadOptionException("--top-k must be at least 1 (got " + topK + ").", null);
        }
        PredictionWriter.Format chosen = formatFor(out, format);
        Path target = OutputTarget.check(out, chosen == PredictionWriter.Format.JSONL
                ? OutputTarget.Kind.PREDICTIONS_JSONL : OutputTarget.Kind.PREDICTIONS_CSV, overwrite.overwrite,
                List.of(input, model, ModelBundle.resolve(model)));
        if (chosen == null) {
            throw new BadOptionException("--out " + out + " names no format Graft writes.",
                    "End it in .csv or .jsonl, or give --format CSV|JSONL.");
        }
        ModelBundle bundle = ModelBundle.load(model);
        ImageFiles.Listing listing = Predictor.survey(input);
        List<Path> images = Predictor.collectImages(listing, input);
        if (images.stream().anyMatch(p -> p.toAbsolutePath().normalize().equals(target))) {
            throw new BadOptionException("--out " + out + " is one of the images to predict.",
                    "Write the predictions to a .csv or .jsonl file, e.g. --out predictions.csv.");
        }
        int k = Math.min(topK, bundle.description().labels().size());
        List<Prediction> predictions;
        EngineChoice used;
        try (Progress bar = Progress.start(progress.enabled(), System.out, "Predicting", images.size(), "img")) {
            Predictor predictor = new Predictor(bundle, batch, Engine.parse(engine));
            predictions = predictor.predict(images, k, n -> bar.step(n, null));
            used = predictor.engineUsed();
        }
        if (used.fallback()) {
            System.err.println("Warning: DL4J ran the model, not ONNX Runtime: " + used.reason());
        }
        PredictionWriter.builder().optTopK(k).optReviewBelow(reviewBelow)
                .optBase(Files.isDirectory(input) ? input : null).optFormat(chosen).build()
                .write(predictions, target);
        long failed = predictions.stream().filter(p -> p.error() != null).count();
        long review = predictions.stream().filter(p -> p.needsReview(reviewBelow)).count();
        System.out.printf("Wrote %d predictions to %s%s; %d need review (best probability below %s)%s%n",
                predictions.size(), out, failed > 0 ? " (" + failed + " without an answer; see the error column)" : "",
                review, reviewBelow, listing.ignored().isEmpty() ? "" : "; " + listing.ignored().size()
                        + " file(s) and folder(s) ignored as not images (e.g. " + listing.ignored().get(0).path()
                        + ")");
        return 0;
    }

    /** The format --out's extension names (null if none); a --format that contradicts it is refused. */
    static PredictionWriter.Format formatFor(Path out, PredictionWriter.Format given) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        PredictionWriter.Format byName = name.endsWith(".csv") ? PredictionWriter.Format.CSV
                : name.endsWith(".jsonl") || name.endsWith(".ndjson") ? PredictionWriter.Format.JSONL : null;
        if (given != null && byName != null && given != byName) {
            throw new BadOptionException("--format " + given + " does not match --out " + out + ".",
                    "Name the file ." + given.name().toLowerCase(java.util.Locale.ROOT) + ", or leave --format out.");
        }
        return given != null ? given : byName;
    }
}
