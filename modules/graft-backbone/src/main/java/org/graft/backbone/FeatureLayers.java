package org.graft.backbone;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.BadOptionException;
import org.graft.common.UnsupportedModelException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Finds and checks the layer where a classifier's own head begins. */
public final class FeatureLayers {
    private FeatureLayers() {
    }

    /**
     * The input of the network's classifier: walking back from the output over activations, dropout and reshapes
     * to the last layer with weights (the classifier), then back from its input over dropout and reshapes.
     * For MobileNet this is the global average pooling; for a small CNN, the layer before the last dense.
     */
    public static String detect(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        String v = conf.getNetworkOutputs().get(0);
        v = skipShapeOnly(conf, v);
        // v is now the classifier (a layer with weights); its input starts the features
        List<String> inputs = conf.getVertexInputs().get(v);
        if (inputs == null || inputs.size() != 1) {
            throw new UnsupportedModelException("Cannot find where the classifier of this model begins (at '" + v
                    + "').",
                    "Name the feature layer with --feature-layer (see 'graft inspect MODEL' for layer names).");
        }
        return skipShapeOnly(conf, inputs.get(0));
    }

    /** Steps back from {@code v} while it is an activation, dropout or reshape with a single input. */
    private static String skipShapeOnly(ComputationGraphConfiguration conf, String v) {
        while (isShapeOnly(conf.getVertices().get(v))) {
            List<String> in = conf.getVertexInputs().get(v);
            if (in == null || in.size() != 1) {
                break;
            }
            v = in.get(0);
        }
        return v;
    }

    private static boolean isShapeOnly(GraphVertex vertex) {
        if (vertex instanceof PreprocessorVertex || vertex instanceof ReshapeVertex) {
            return true;
        }
        if (vertex instanceof LayerVertex lv) {
            Layer layer = lv.getLayerConf().getLayer();
            return layer instanceof ActivationLayer || layer instanceof DropoutLayer
                    || (layer.getClass().getSimpleName().equals("LossLayer"));
        }
        return false;
    }

    /** Everything downstream of the feature layer: what transfer learning removes. */
    public static Set<String> downstreamOf(ComputationGraph graph, String featureLayer) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        requireVertex(graph, featureLayer);
        Set<String> out = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(featureLayer));
        while (!todo.isEmpty()) {
            String cur = todo.pop();
            for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
                if (e.getValue().contains(cur) && out.add(e.getKey())) {
                    todo.push(e.getKey());
                }
            }
        }
        return out;
    }

    public static void requireVertex(ComputationGraph graph, String name) {
        if (!graph.getConfiguration().getVertices().containsKey(name)) {
            throw new BadOptionException("The model has no layer named '" + name + "'.",
                    "See 'graft inspect MODEL' for the layer names.");
        }
    }
}
