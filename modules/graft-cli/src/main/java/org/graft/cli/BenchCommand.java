package org.graft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.common.AtomicFiles;
import org.graft.common.BadOptionException;
import org.graft.common.Json;
import org.graft.data.ImageLoader;
import org.graft.engine.Engine;
import org.graft.engine.Featurizer;
import org.graft.engine.LayerProfile;
import org.graft.model.OneDnnHelpers;
import org.graft.train.HeadGrafter;
import org.graft.train.Mode;
import org.graft.train.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure this machine: a backbone's inference throughput with each engine (frozen, BatchNorm "
                + "folded where the backbone allows, as transfer learning runs it) and full fine-tuning throughput "
                + "(DL4J), on synthetic images; --profile shows where DL4J spends its time. `make bench` compares "
                + "them with PyTorch.",
        footer = {"", "Examples:", "  graft bench --backbone efficientnet-b0 --profile",
                "  graft bench --backbone resnet18.onnx --sweep 4,8,16,32 --json bench.json"})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backbone", required = true, paramLabel = "NAME|FILE", description = "As for train.")
    String backbone;

    @Option(names = "--batch", defaultValue = "32",
            description = "Images per batch for inference, fine-tuning and the profile (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--sweep", split = ",", paramLabel = "N,N,...",
            description = "Also time inference at each of these batch sizes, with each engine.")
    List<Integer> sweep = new ArrayList<>();

    @Option(names = "--batches", defaultValue = "3",
            description = "Timed inference batches per measurement, after one warm-up batch; 0 skips inference "
                    + "(default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--finetune-batches", defaultValue = "2",
            description = "Timed fine-tuning steps (0 to skip) (default: ${DEFAULT-VALUE}).")
    int finetuneBatches;

    @Option(names = "--engines", defaultValue = "dl4j,onnxruntime", split = ",",
            description = "Engines to time (default: ${DEFAULT-VALUE}).")
    List<String> engines;

    @Option(names = "--profile",
            description = "Also print where DL4J spends its time: milliseconds per batch for each layer and vertex "
                    + "type, forward (frozen features) and forward + backward (fine-tuning), with the graph's "
                    + "workspace and cache modes and the threads.")
    boolean profile;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Mixin
    Workspace workspace;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || batches < 0 || finetuneBatches < 0 || sweep.stream().anyMatch(b -> b < 1)) {
            throw new BadOptionException("--batch and --sweep sizes must be 1 or more, --batches and "
                    + "--finetune-batches 0 or more.", null);
        }
        ObjectNode result = Json.mapper().createObjectNode();
        result.put("backbone", backbone).put("batch", batch).put("threads", Runtime.getRuntime().availableProcessors());
        if (batches > 0) {
            inference(result);
        }
        if (finetuneBatches > 0) {
            fineTuning(result);
        }
        // known once a backbone is loaded (loading switches them on)
        result.put("onednn_helpers", OneDnnHelpers.active());
        if (json != null) {
            AtomicFiles.write(json, Json.mapper().writeValueAsBytes(result));
        }
        return 0;
    }

    /** The featurizer that transfer-mode training uses, timed on prepared tensors (no decoding). */
    private void inference(ObjectNode result) {
        Backbone frozen = workspace.backboneLoader().optFoldBatchNorm(true).build().load(backbone);
        ComputationGraph features = HeadGrafter.featureExtractor(
                HeadGrafter.graft(frozen, 2, TrainingConfig.defaults()), HeadGrafter.headInput(frozen));
        List<Integer> sizes = new ArrayList<>(List.of(batch));
        sweep.stream().filter(b -> b != batch).forEach(sizes::add);
        ObjectNode sweepJson = result.putObject("sweep");
        for (String name : engines) {
            Engine kind = Engine.parse(name);
            for (int size : sizes) {
                INDArray images = Nd4j.rand(DataType.FLOAT, frozen.preprocessing().shape(size));
                try (Featurizer engine = new Featurizer(kind, features, new ImageLoader(frozen.preprocessing()),
                        size, null)) {
                    engine.output(images); // warm-up: allocation, kernel selection, the automatic engine's check
                    long t0 = System.nanoTime();
                    for (int i = 0; i < batches; i++) {
                        engine.output(images);
                    }
                    double perSecond = size * batches / ((System.nanoTime() - t0) / 1e9);
                    String engineName = engine.engine().cliName();
                    sweepJson.with(kind.cliName()).put(String.valueOf(size), perSecond);
                    if (size == batch) {
                        result.put("inference_" + kind.cliName() + "_img_per_s", perSecond);
                    }
                    System.out.printf(Locale.ROOT, "inference %-12s %7.1f img/s (batch %d, features of %s%s)%n",
                            kind.cliName(), perSecond, size, frozen.featureLayer(),
                            kind == Engine.AUTO ? "; ran in " + engineName : "");
                }
            }
        }
        if (profile) {
            printSettings(features);
            INDArray images = Nd4j.rand(DataType.FLOAT, frozen.preprocessing().shape(batch));
            System.out.println("DL4J profile, frozen features (inference), batch " + batch + ":");
            System.out.print(LayerProfile.of(features, images, null, Math.max(1, batches)).table());
        }
    }

    private void fineTuning(ObjectNode result) {
        Backbone trainable = workspace.backboneLoader().build().load(backbone);
        ComputationGraph graph = HeadGrafter.graft(trainable, 2,
                TrainingConfig.builder().optMode(Mode.FINETUNE).optLearningRate(1e-4).build());
        INDArray images = Nd4j.rand(DataType.FLOAT, trainable.preprocessing().shape(batch));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, 2);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, i % 2, 1);
        }
        graph.fit(new INDArray[]{images}, new INDArray[]{labels}); // warm-up
        long t0 = System.nanoTime();
        for (int i = 0; i < finetuneBatches; i++) {
            graph.fit(new INDArray[]{images}, new INDArray[]{labels});
        }
        double perSecond = batch * finetuneBatches / ((System.nanoTime() - t0) / 1e9);
        result.put("finetune_dl4j_img_per_s", perSecond);
        System.out.printf(Locale.ROOT, "fine-tune  %-12s %7.1f img/s (batch %d, every layer trains)%n", "dl4j",
                perSecond, batch);
        if (profile) {
            printSettings(graph);
            System.out.println("DL4J profile, full fine-tuning (training mode), batch " + batch + ":");
            System.out.print(LayerProfile.of(graph, images, labels, finetuneBatches).table());
        }
    }

    private static void printSettings(ComputationGraph graph) {
        var conf = graph.getConfiguration();
        System.out.printf(Locale.ROOT, "DL4J settings: training workspaces %s, inference workspaces %s, cache mode %s,"
                        + " oneDNN layer helpers %s, %d OpenMP threads, %d cores, ND4J %s%n",
                conf.getTrainingWorkspaceMode(), conf.getInferenceWorkspaceMode(), conf.getCacheMode(),
                OneDnnHelpers.active() ? "on" : "off", Nd4j.getEnvironment().maxThreads(),
                Runtime.getRuntime().availableProcessors(), Nd4j.getBackend().getClass().getSimpleName());
    }
}
