package org.graft.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Moving weights between two graphs that share layer names. */
public final class GraphParams {
    private GraphParams() {
    }

    /**
     * Copies every parameter of {@code from} into the layer of the same name in {@code to}, key by key.
     * TransferLearning.GraphBuilder copies each layer's flattened parameters in the order of its parameter map,
     * which for a DepthwiseConvolution2D with a bias (["W", "b"]) is not the order of the flattened view (b first):
     * without this, such layers (ONNX imports, folded BatchNorm) end up with scrambled weights after a graph is cut
     * or grafted.
     */
    public static void copyByName(ComputationGraph from, ComputationGraph to) {
        for (Layer layer : to.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (name == null || !from.getConfiguration().getVertices().containsKey(name)
                    || from.getVertex(name).getLayer() == null) {
                continue;
            }
            var source = from.getLayer(name).paramTable();
            layer.paramTable().forEach((key, target) -> {
                INDArray value = source.get(key);
                if (value != null && value.length() == target.length()) {
                    target.assign(value.reshape(target.shape()));
                }
            });
        }
    }
}
