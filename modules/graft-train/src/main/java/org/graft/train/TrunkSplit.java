package org.graft.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.model.GraphParams;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A partly frozen graph cut where its frozen trunk ends ({@code --unfreeze N}): the trunk (images in, the boundary
 * vertex's activations out) never learns and behaves the same in training as in inference, so it can run forward
 * alone, in the fast engine, once per image when nothing is augmented; the upper graph (the boundary's activations
 * in, the classifier's output out) holds every layer that learns, with the same configuration, updater and names,
 * so fitting it gives the same steps as fitting the whole graph.
 *
 * <p>A vertex belongs to the trunk when all its inputs do (or are the network's input) and it is a frozen layer,
 * a parameter-free layer without dropout, or a parameter-free graph vertex. A dropout layer that is not frozen
 * drops in training (Keras EfficientNet's {@code block6d_drop}), so the trunk stops before it. The split exists
 * only when exactly one trunk vertex feeds the rest and the trunk holds a frozen layer; else the graph trains whole.
 *
 * @param trunk    frozen graph from the images to {@code boundary}
 * @param upper    the learning rest, whose only input is named {@code boundary}
 * @param boundary the vertex where the trunk ends
 */
record TrunkSplit(ComputationGraph trunk, ComputationGraph upper, String boundary) {

    /** The split of {@code graph}, or empty when it has no frozen trunk with a single boundary. */
    static Optional<TrunkSplit> of(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            return Optional.empty();
        }
        String input = conf.getNetworkInputs().get(0);
        Set<String> trunk = new HashSet<>();
        List<String> order = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            order.add(name);
            if (name.equals(input)) {
                continue;
            }
            List<String> inputs = conf.getVertexInputs().getOrDefault(name, List.of());
            boolean fed = !inputs.isEmpty() && inputs.stream().allMatch(v -> v.equals(input) || trunk.contains(v));
            if (fed && fixedInTraining(conf.getVertices().get(name))) {
                trunk.add(name);
            }
        }
        List<String> boundaries = new ArrayList<>();
        for (String name : order) {
            boolean feedsRest = conf.getVertexInputs().entrySet().stream()
                    .anyMatch(e -> !trunk.contains(e.getKey()) && e.getValue().contains(name));
            if ((trunk.contains(name) || name.equals(input)) && feedsRest) {
                boundaries.add(name);
            }
        }
        boolean anyFrozen = trunk.stream().anyMatch(v -> conf.getVertices().get(v) instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof FrozenLayer);
        if (boundaries.size() != 1 || boundaries.get(0).equals(input) || !anyFrozen) {
            return Optional.empty(); // nothing frozen below the first learning layer: nothing to save
        }
        String boundary = boundaries.get(0);
        Set<String> rest = new HashSet<>(order);
        rest.removeAll(trunk);
        rest.remove(input);
        ComputationGraph trunkGraph = subgraph(graph, trunk, input, boundary);
        ComputationGraph upperGraph = subgraph(graph, rest, boundary, conf.getNetworkOutputs().get(0));
        return Optional.of(new TrunkSplit(trunkGraph, upperGraph, boundary));
    }

    /** A vertex that computes the same in training as in inference and has nothing to learn. */
    private static boolean fixedInTraining(GraphVertex vertex) {
        if (!(vertex instanceof LayerVertex lv)) {
            return vertex.numParams(false) == 0; // Graft's and DL4J's parameter-free vertices: no training mode
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof FrozenLayer) {
            return true;
        }
        if (layer instanceof FrozenLayerWithBackprop) {
            return false; // passes gradients to what is below it: the trunk would cut them
        }
        return layer.initializer().numParams(lv.getLayerConf()) == 0 && !(layer instanceof DropoutLayer)
                && layer.getIDropout() == null;
    }

    /**
     * The vertices {@code keep} of {@code graph} as a graph of their own, fed by {@code input} (a network input or a
     * vertex left out) and giving {@code output}; weights copied by name.
     */
    private static ComputationGraph subgraph(ComputationGraph graph, Set<String> keep, String input, String output) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        conf.getVertices().forEach((name, v) -> {
            if (keep.contains(name)) {
                vertices.put(name, v);
                inputs.put(name, conf.getVertexInputs().get(name));
            }
        });
        conf.getVertices().clear();
        conf.getVertices().putAll(vertices);
        conf.getVertexInputs().clear();
        conf.getVertexInputs().putAll(inputs);
        conf.setNetworkInputs(List.of(input));
        conf.setNetworkOutputs(List.of(output));
        // the order was worked out for the whole graph
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph part = new ComputationGraph(conf);
        part.init();
        GraphParams.copyByName(graph, part);
        return part;
    }

    /** Copies the upper graph's weights back into the whole classifier. */
    void copyInto(ComputationGraph classifier) {
        GraphParams.copyByName(upper, classifier);
    }
}
