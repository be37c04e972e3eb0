package org.graft.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.graft.backbone.Backbone;
import org.graft.backbone.BackboneSpec;
import org.graft.common.Json;
import org.graft.model.ModelBundle;
import org.graft.train.BackboneBlocks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Describe a trained model, a known backbone, or a Keras or ONNX model file: layers, parameters, "
                + "frozen layers, feature layer, preprocessing.",
        footer = {"", "Examples:",
                "  graft inspect --list", "  graft inspect efficientnet-b0 --layers", "  graft inspect runs/mine"})
public final class InspectCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "MODEL|BACKBONE", description = "A run folder, model.zip, backbone "
            + "name, Keras .h5 file or .onnx file.")
    String target;

    @Option(names = "--list", description = "List the backbones Graft knows by name.")
    boolean list;

    @Option(names = "--layers", description = "Also print every layer (DL4J's summary).")
    boolean layers;

    @Mixin
    Workspace workspace;

    @Override
    public Integer call() throws Exception {
        if (list || target == null) {
            var registry = workspace.backboneLoader().build().registry();
            System.out.println("Known backbones (default: " + registry.defaultName() + "):");
            for (BackboneSpec s : registry.all()) {
                System.out.printf(Locale.ROOT, "  %-20s %s%n", s.name(), s.description());
            }
            return 0;
        }
        Path path = Path.of(target);
        boolean isBundle = Files.isDirectory(path) || target.endsWith(".zip");
        if (isBundle) {
            ModelBundle bundle = ModelBundle.load(path);
            System.out.println("Graft model " + ModelBundle.resolve(path));
            describeGraph(bundle.graph());
            System.out.println("Description:");
            System.out.println(Json.mapper().writeValueAsString(bundle.description()));
        } else {
            Backbone b = workspace.backboneLoader().build().load(target);
            System.out.println("Backbone " + b.name());
            System.out.println("  source:        " + b.source());
            System.out.println("  sha256:        " + b.sha256());
            System.out.println("  licence:       " + b.license());
            describeGraph(b.graph());
            System.out.println("  feature layer: " + b.featureLayer() + " " + Arrays.toString(b.featureShape()));
            System.out.println("  preprocessing: " + b.preprocessing());
            List<String> blocks = new java.util.ArrayList<>(BackboneBlocks.of(b.graph(), b.featureLayer()).names());
            java.util.Collections.reverse(blocks);
            System.out.println("  blocks:        " + blocks.size() + ", last first (--unfreeze N trains the first N "
                    + "here): " + String.join(", ", blocks.subList(0, Math.min(6, blocks.size())))
                    + (blocks.size() > 6 ? ", ..." : ""));
        }
        return 0;
    }

    private void describeGraph(ComputationGraph graph) {
        int frozen = 0;
        long trainable = 0;
        int withParams = 0;
        for (GraphVertex v : graph.getVertices()) {
            if (!v.hasLayer()) {
                continue;
            }
            var layer = v.getLayer();
            boolean isFrozen = layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop;
            if (layer.numParams() > 0) {
                withParams++;
                if (isFrozen) {
                    frozen++;
                } else {
                    trainable += layer.numParams();
                }
            }
        }
        System.out.printf(Locale.ROOT, "  layers:        %d vertices, %d with parameters (%d frozen)%n",
                graph.getVertices().length, withParams, frozen);
        System.out.printf(Locale.ROOT, "  parameters:    %,d (%,d trainable)%n", graph.numParams(), trainable);
        System.out.println("  input:         " + graph.getConfiguration().getNetworkInputs());
        System.out.println("  output:        " + graph.getConfiguration().getNetworkOutputs());
        if (layers) {
            System.out.println(graph.summary());
        }
    }
}
