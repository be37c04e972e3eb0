package org.graft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.backbone.Backbone;
import org.graft.common.AtomicFiles;
import org.graft.common.Json;
import org.graft.data.ImageLoader;
import org.graft.engine.Engine;
import org.graft.engine.Featurizer;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure this machine: a backbone's inference throughput with each engine (frozen, BatchNorm "
                + "folded where the backbone allows, as transfer learning runs it) and full fine-tuning throughput "
                + "(DL4J), on synthetic images. `make bench` compares them with PyTorch.",
        footer = {"", "Examples:", "  graft bench --backbone efficientnet-b0",
                "  graft bench --backbone resnet18.onnx --batch 32 --json bench.json"})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backbone", required = true, paramLabel = "NAME|FILE", description = "As for train.")
    String backbone;

    @Option(names = "--batch", defaultValue = "32", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--batches", defaultValue = "3",
            description = "Timed batches per measurement, after one warm-up batch (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--finetune-batches", defaultValue = "2",
            description = "Timed fine-tuning steps (0 to skip) (default: ${DEFAULT-VALUE}).")
    int finetuneBatches;

    @Option(names = "--engines", defaultValue = "dl4j,onnxruntime", split = ",",
            description = "Engines to time (default: ${DEFAULT-VALUE}).")
    List<String> engines;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Mixin
    Workspace workspace;

    @Override
    public Integer call() throws Exception {
        ObjectNode result = Json.mapper().createObjectNode();
        result.put("backbone", backbone).put("batch", batch).put("threads", Runtime.getRuntime().availableProcessors());
        Backbone frozen = workspace.backboneLoader().optFoldBatchNorm(true).build().load(backbone);
        ComputationGraph features = HeadGrafter.featureExtractor(
                HeadGrafter.graft(frozen, 2, TrainingConfig.defaults()), HeadGrafter.headInput(frozen));
        INDArray images = Nd4j.rand(DataType.FLOAT, frozen.preprocessing().shape(batch));
        for (String name : engines) {
            Engine kind = Engine.parse(name);
            // the featurizer transfer-mode training uses, timed on prepared tensors (no decoding)
            try (Featurizer engine = new Featurizer(kind, features, new ImageLoader(frozen.preprocessing()), batch,
                    null)) {
                engine.output(images); // warm-up: allocation, kernel selection
                long t0 = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    engine.output(images);
                }
                double perSecond = batch * batches / ((System.nanoTime() - t0) / 1e9);
                result.put("inference_" + kind.name().toLowerCase(Locale.ROOT) + "_img_per_s", perSecond);
                System.out.printf(Locale.ROOT, "inference %-12s %7.1f img/s (batch %d, features of %s)%n",
                        kind.name().toLowerCase(Locale.ROOT), perSecond, batch, frozen.featureLayer());
            }
        }
        if (finetuneBatches > 0) {
            Backbone trainable = workspace.backboneLoader().build().load(backbone);
            ComputationGraph graph = HeadGrafter.graft(trainable, 2,
                    TrainingConfig.builder().optMode(Mode.FINETUNE).optLearningRate(1e-4).build());
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
        }
        if (json != null) {
            AtomicFiles.write(json, Json.mapper().writeValueAsBytes(result));
        }
        return 0;
    }
}
