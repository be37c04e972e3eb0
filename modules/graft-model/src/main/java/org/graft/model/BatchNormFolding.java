package org.graft.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds each BatchNormalization that follows a convolution into that convolution's weights and bias: for a frozen
 * backbone, BatchNorm with stored statistics is a fixed per-channel affine map, so the graph computes the same
 * with one layer (and one activation array) fewer per pair. A pure graph transform, for Keras and ONNX imports
 * alike (the ONNX converter keeps BatchNorm as a layer).
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /**
     * A new graph with every foldable convolution → BatchNorm pair folded, except BatchNorm vertices named in
     * {@code keep} (a feature layer must stay addressable); the original is left untouched.
     */
    public static ComputationGraph fold(ComputationGraph graph, java.util.Set<String> keep) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, String> folded = new LinkedHashMap<>(); // BatchNorm vertex -> its convolution
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(layerOf(e.getValue()) instanceof BatchNormalization) || keep.contains(e.getKey())) {
                continue;
            }
            List<String> in = inputs.get(e.getKey());
            if (in == null || in.size() != 1 || !(layerOf(conf.getVertices().get(in.get(0))) instanceof ConvolutionLayer c)
                    || !foldable(c) || readers(inputs, in.get(0)) != 1
                    || conf.getNetworkOutputs().contains(in.get(0))
                    || ((LayerVertex) e.getValue()).getPreProcessor() != null) {
                continue;
            }
            folded.put(e.getKey(), in.get(0));
        }
        if (folded.isEmpty()) {
            return graph;
        }
        Map<String, INDArray[]> newParams = new HashMap<>();
        for (Map.Entry<String, String> pair : folded.entrySet()) {
            newParams.put(pair.getValue(), foldedParams(graph, pair.getKey(), pair.getValue()));
            ((ConvolutionLayer) layerOf(conf.getVertices().get(pair.getValue()))).setHasBias(true);
            // the BatchNorm's readers now read the convolution
            conf.getVertices().remove(pair.getKey());
            inputs.remove(pair.getKey());
            for (List<String> list : inputs.values()) {
                list.replaceAll(v -> v.equals(pair.getKey()) ? pair.getValue() : v);
            }
            conf.getNetworkOutputs().replaceAll(v -> v.equals(pair.getKey()) ? pair.getValue() : v);
        }
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph result = new ComputationGraph(conf);
        result.init();
        for (org.deeplearning4j.nn.api.Layer layer : result.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            INDArray[] wb = newParams.get(name);
            if (wb != null) {
                layer.getParam("W").assign(wb[0]);
                layer.getParam("b").assign(wb[1].reshape(layer.getParam("b").shape()));
            } else if (layer.numParams() > 0) {
                // key by key: Layer.setParams assumes the parameter map's order is the flattened layout, which is
                // false for a depthwise convolution with a bias
                var source = graph.getLayer(name).paramTable();
                layer.paramTable().forEach((key, target) -> target.assign(source.get(key).reshape(target.shape())));
            }
        }
        return result;
    }

    private static boolean foldable(ConvolutionLayer c) {
        boolean plainOrDepthwise = c.getClass() == ConvolutionLayer.class || c instanceof DepthwiseConvolution2D;
        return plainOrDepthwise && (c.getActivationFn() == null || c.getActivationFn() instanceof ActivationIdentity);
    }

    private static Layer layerOf(GraphVertex v) {
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static int readers(Map<String, List<String>> inputs, String vertex) {
        int n = 0;
        for (List<String> list : inputs.values()) {
            for (String v : list) {
                if (v.equals(vertex)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** W' = W * s per output channel, b' = (b - mean) * s + beta, with s = gamma / sqrt(var + eps). */
    private static INDArray[] foldedParams(ComputationGraph graph, String bnName, String convName) {
        BatchNormalization bn = (BatchNormalization) graph.getLayer(bnName).conf().getLayer();
        Map<String, INDArray> p = graph.getLayer(bnName).paramTable();
        long c = bn.getNOut();
        INDArray gamma = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[]{c}, bn.getGamma(), DataType.FLOAT)
                : p.get("gamma").reshape(c).castTo(DataType.FLOAT);
        INDArray beta = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[]{c}, bn.getBeta(), DataType.FLOAT)
                : p.get("beta").reshape(c).castTo(DataType.FLOAT);
        INDArray mean = p.get("mean").reshape(c).castTo(DataType.FLOAT);
        INDArray std = bn.isUseLogStd()
                ? Transforms.pow(Nd4j.valueArrayOf(new long[]{c}, 10.0, DataType.FLOAT),
                p.get("log10stdev").reshape(c).castTo(DataType.FLOAT), true)
                : Transforms.sqrt(p.get("var").reshape(c).castTo(DataType.FLOAT).add(bn.getEps()), false);
        INDArray scale = gamma.div(std);
        org.deeplearning4j.nn.api.Layer conv = graph.getLayer(convName);
        INDArray w = conv.getParam("W").castTo(DataType.FLOAT).dup();
        INDArray b = conv.paramTable().containsKey("b") ? conv.getParam("b").reshape(c).castTo(DataType.FLOAT).dup()
                : Nd4j.zeros(DataType.FLOAT, c);
        if (conv.conf().getLayer() instanceof DepthwiseConvolution2D) {
            // [kH, kW, C, m]; output channel c*m + j
            w.muli(scale.reshape(1, 1, w.size(2), w.size(3)));
        } else {
            // [out, in, kH, kW]
            w.muli(scale.reshape(c, 1, 1, 1));
        }
        b.subi(mean).muli(scale).addi(beta);
        return new INDArray[]{w, b};
    }
}
