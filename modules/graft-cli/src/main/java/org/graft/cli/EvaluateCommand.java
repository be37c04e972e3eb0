package org.graft.cli;

import org.graft.data.ImageFolder;
import org.graft.data.SkipLog;
import org.graft.engine.Engine;
import org.graft.engine.EngineChoice;
import org.graft.engine.InferenceEngine;
import org.graft.evaluate.BundleEvaluator;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelBundle;
import org.graft.model.run.RunClaim;
import org.graft.model.run.RunFolder;
import org.graft.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Accuracy, per-class precision/recall/F1 and the confusion matrix of a trained model.",
        footer = {"", "Examples:",
                "  graft evaluate --model runs/mine                    (its own validation split: metrics.json)",
                "  graft evaluate --model runs/mine --data held-out    (into runs/mine/evaluations/, in the report)",
                "  graft evaluate --model runs/mine --data held-out-test --out test-metrics.json"})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN|ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Labelled images (one sub-folder per class). Default: the run's own validation split.")
    Path data;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the metrics (default: the run's metrics.json for its own validation "
                    + "split; RUN/evaluations/DATA-NAME.json for --data).")
    Path out;

    @Option(names = "--batch", defaultValue = "" + TrainingConfig.DEFAULT_INFERENCE_BATCH,
            description = "Images per forward pass; 8-16 is fastest on a CPU (graft bench --sweep measures it) "
                    + "(default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|dl4j|onnxruntime",
            description = "What runs the model, as for predict (default: ${DEFAULT-VALUE}).")
    String engine;

    @Mixin
    ProgressOptions progress;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() throws Exception {
        Path target = out == null ? null : OutputTarget.check(out, OutputTarget.Kind.METRICS, overwrite.overwrite,
                data == null ? List.of(model, ModelBundle.resolve(model)) : List.of(data, model,
                        ModelBundle.resolve(model)));
        ModelBundle bundle = ModelBundle.load(model);
        RunFolder run = RunFolder.holding(model);
        if (target == null && !run.isGraftRun()) {
            // a model.zip on its own: the metrics go beside it, as a file of their own
            target = OutputTarget.check(run.file(RunFolder.METRICS), OutputTarget.Kind.METRICS, overwrite.overwrite,
                    List.of());
        }
        ImageFolder folder = data != null ? ImageFolder.scan(data)
                : BundleEvaluator.validationOfRun(run, bundle.description());
        SkipLog skipLog = new SkipLog();
        EvaluationReport report;
        EngineChoice used;
        try (Progress p = Progress.start(progress.enabled(), System.out, "Evaluating", folder.images().size(),
                "img")) {
            try (InferenceEngine model = InferenceEngine.create(Engine.parse(engine), bundle.graph(),
                    bundle.description().preprocessing())) {
                report = BundleEvaluator.evaluate(bundle, folder, batch, skipLog, p::counting, model);
                used = model.choice();
            }
        }
        if (used.fallback()) {
            System.err.println("Warning: DL4J ran the model, not ONNX Runtime: " + used.reason());
        }
        Path written;
        if (target != null) {
            report.writeJson(target);
            written = target;
        } else {
            // into the run: its own metrics.json for its validation split, a file of its own for other data
            try (RunClaim claim = RunClaim.claim(run, RunClaim.Intent.UPDATE, "evaluate")) {
                if (data == null) {
                    run.writeMetrics(report);
                    written = run.file(RunFolder.METRICS);
                } else {
                    run.writeEvaluation(data, report);
                    written = run.evaluationFile(data);
                }
            }
        }
        System.out.println(report.toTable());
        if (skipLog.size() > 0) {
            System.out.println("Skipped " + skipLog.size() + " unreadable file(s):");
            skipLog.all().forEach(s -> System.out.println("  " + s.path() + ": " + s.reason()));
        }
        if (!folder.ignored().isEmpty()) {
            System.out.println("Ignored " + folder.ignored().size() + " file(s) and folder(s) that are not images "
                    + "(e.g. " + folder.ignored().get(0).path() + ")");
        }
        System.out.println("Metrics written to " + written);
        return 0;
    }
}
