package org.graft.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.BadOptionException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backbone's layers with weights, grouped into the blocks that {@code --unfreeze N} counts from the top.
 *
 * <p>A block is named by the first part of a layer's name that holds a digit, which is how the usual architectures
 * name their stages: Keras EfficientNet's {@code block2a_expand_conv} and {@code block2a_project_bn} are block
 * "block2a"; Keras MobileNet's {@code conv_dw_3} and {@code conv_pw_3_bn} are block "3"; torchvision's
 * {@code features.3.1.block.0.0} is block "3" and ResNet's {@code layer2.0.conv1} block "layer2". A name with no
 * digit is its own part's block ({@code stem_conv} and {@code stem_bn} are "stem", {@code top_conv} is "top").
 * Blocks are ordered by where their first layer sits in the graph.
 */
public record BackboneBlocks(List<String> names, Map<String, List<String>> layersByBlock) {

    /** The blocks of the layers with parameters at or before {@code featureLayer}, input side first. */
    public static BackboneBlocks of(ComputationGraph graph, String featureLayer) {
        Set<String> upstream = upstreamOf(graph.getConfiguration(), featureLayer);
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (!upstream.contains(name) || !hasParameters(graph.getConfiguration().getVertices().get(name))) {
                continue;
            }
            blocks.computeIfAbsent(blockOf(name), k -> new ArrayList<>()).add(name);
        }
        return new BackboneBlocks(List.copyOf(blocks.keySet()), blocks);
    }

    /** The layers to keep frozen so that only the last {@code trainable} blocks learn. */
    public List<String> frozenLayersKeepingLast(int trainable) {
        if (trainable >= names.size()) {
            return List.of();
        }
        List<String> frozen = new ArrayList<>();
        for (String block : names.subList(0, names.size() - trainable)) {
            frozen.addAll(layersByBlock.get(block));
        }
        return frozen;
    }

    /** The block a layer name belongs to (see the class comment). */
    static String blockOf(String layerName) {
        String[] parts = layerName.split("[._/:\\-]+");
        for (String part : parts) {
            if (part.chars().anyMatch(Character::isDigit)) {
                return part;
            }
        }
        return parts.length == 0 || parts[0].isEmpty() ? layerName : parts[0];
    }

    private static boolean hasParameters(GraphVertex vertex) {
        if (!(vertex instanceof LayerVertex lv)) {
            return false;
        }
        Layer layer = lv.getLayerConf().getLayer();
        return layer.initializer().numParams(lv.getLayerConf()) > 0;
    }

    private static Set<String> upstreamOf(ComputationGraphConfiguration conf, String vertex) {
        if (!conf.getVertices().containsKey(vertex)) {
            throw new BadOptionException("The feature layer '" + vertex + "' is not in the model.",
                    "See 'graft inspect' for the layer names.");
        }
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(vertex));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return seen;
    }
}
