package org.graft.cli;

import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneLoader;
import org.graft.common.DownloadException;
import org.graft.data.ImageFolder;
import org.graft.data.SampleDatasets;
import org.graft.data.SkipLog;
import org.graft.engine.Engine;
import org.graft.engine.InferenceEngine;
import org.graft.evaluate.BundleEvaluator;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelBundle;
import org.graft.model.run.RunClaim;
import org.graft.model.run.RunFolder;
import org.graft.predict.Prediction;
import org.graft.predict.PredictionWriter;
import org.graft.predict.Predictor;
import org.graft.report.RunReport;
import org.graft.train.TrainingConfig;
import org.graft.train.TrainingJob;
import org.graft.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole job on the sample data: fetch the hymenoptera (ants/bees) images and the default "
                + "backbone, train, evaluate the saved model, predict the validation images.",
        footer = {"", "Example:", "  graft demo --out runs/demo        (offline: GRAFT_MIRROR=DIR graft demo)",
                "  graft ui runs/demo                (its training statistics in DL4J's UI)"})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR",
            description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--epochs", defaultValue = "10",
            description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Mixin
    RunOptions run;

    @Mixin
    Workspace workspace;

    @Mixin
    OverwriteOption overwrite;

    /** The backbone the demo falls back to when the default's weights cannot be had (it is small, and mirrored). */
    static final String FALLBACK = "mobilenet-v1-0.25";

    /**
     * The default backbone; on a machine that cannot download it (offline, not in GRAFT_MIRROR) the demo says so
     * and uses the small MobileNet instead, so that a first run still shows the whole job.
     */
    private Backbone defaultOrFallback(BackboneLoader loader) {
        String name = loader.registry().defaultName();
        try {
            System.out.println("1/4 Backbone: " + name);
            return loader.load(name);
        } catch (DownloadException e) {
            if (name.equals(FALLBACK)) {
                throw e;
            }
            System.out.println("    " + e.getMessage());
            System.out.println("    The demo uses " + FALLBACK + " instead (for " + name + ": " + e.hint() + ")");
            return loader.load(FALLBACK);
        }
    }

    /** Steps 3 and 4: the saved model evaluated and its predictions written, into the run folder. */
    private EvaluationReport evaluateAndPredict(TrainingResult result, Path data, RunFolder runFolder)
            throws Exception {
        System.out.println("3/4 Evaluating the saved model " + result.modelFile());
        ModelBundle bundle = ModelBundle.load(result.modelFile());
        ImageFolder val = ImageFolder.scan(data.resolve("val"));
        EvaluationReport report;
        try (Progress p = Progress.start(run.progressBars(), System.out, "Evaluating", val.images().size(),
                "img"); InferenceEngine model = InferenceEngine.create(Engine.AUTO, bundle.graph(),
                bundle.description().preprocessing())) {
            report = BundleEvaluator.evaluate(bundle, val, TrainingConfig.DEFAULT_INFERENCE_BATCH, new SkipLog(),
                    p::counting, model);
        }
        runFolder.writeMetrics(report);
        System.out.println(report.toTable());

        System.out.println("4/4 Predicting " + data.resolve("val"));
        List<Path> images = Predictor.collectImages(data.resolve("val"));
        List<Prediction> predictions;
        try (Progress bar = Progress.start(run.progressBars(), System.out, "Predicting", images.size(), "img")) {
            predictions = new Predictor(bundle, TrainingConfig.DEFAULT_INFERENCE_BATCH).predict(images, 2,
                    n -> bar.step(n, null));
        }
        PredictionWriter.builder().optTopK(2).optBase(data.resolve("val")).build().write(predictions,
                runFolder.file(RunFolder.PREDICTIONS));
        return report;
    }

    @Override
    public Integer call() throws Exception {
        Path data = SampleDatasets.fetch(SampleDatasets.HYMENOPTERA, workspace.datasetsDir(),
                workspace.datasetFetcher());
        // the demo learns in transfer mode: the frozen backbone's BatchNorm folds into its convolutions
        BackboneLoader loader = workspace.backboneLoader().optFoldBatchNorm(true).build();
        Backbone backbone = defaultOrFallback(loader);
        RunFolder runFolder = RunFolder.at(out);

        System.out.println("2/4 Training on " + data.resolve("train") + ", validating on " + data.resolve("val"));
        TrainingResult result = TrainingJob.builder()
                .setTrainData(data.resolve("train"))
                .optValidationData(data.resolve("val"))
                .setBackbone(backbone)
                .setRunDir(out)
                .optConfig(TrainingConfig.builder().optEpochs(epochs).build())
                .optFeatureCache(run.featureCache(workspace))
                .optRecordUiStats(true)
                // the demo replaces its own earlier demo run, and nothing else unless told
                .optMadeBy("demo")
                .optOverwrite(overwrite.overwrite || runFolder.isGraftRun() && "demo".equals(runFolder.madeBy()))
                .addListener(new ConsoleReporter(System.out, run.progressBars()))
                .build()
                .run();

        try (RunClaim claim = RunClaim.claim(runFolder, RunClaim.Intent.UPDATE, "demo")) {
            EvaluationReport report = evaluateAndPredict(result, data, runFolder);
            Path html = RunReport.write(out);
            System.out.printf(Locale.ROOT, "%nDone. Validation accuracy %.4f. Model %s, metrics %s, predictions %s, "
                    + "report %s; its training in DL4J's UI: graft ui %s%n", report.accuracy(), result.modelFile(),
                    runFolder.file(RunFolder.METRICS), runFolder.file(RunFolder.PREDICTIONS), html, out);
        }
        return 0;
    }
}
