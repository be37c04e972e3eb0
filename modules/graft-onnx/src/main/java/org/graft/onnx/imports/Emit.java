package org.graft.onnx.imports;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A DL4J vertex waiting to be created. Convolutions and dense layers ({@link WeightedEmit}) stay open until the
 * graph is built, so that what follows a single reader can fold into them.
 */
abstract class Emit {
    final String name;
    final String[] inputs;

    Emit(String name, String... inputs) {
        this.name = name;
        this.inputs = inputs;
    }

    /** A finished DL4J layer with the parameters to load into it (by parameter key). */
    static final class LayerEmit extends Emit {
        final Layer layer;
        final Map<String, INDArray> params;

        LayerEmit(String name, Layer layer, Map<String, INDArray> params, String... inputs) {
            super(name, inputs);
            this.layer = layer;
            this.params = params;
        }
    }

    /** A parameter-free DL4J graph vertex. */
    static final class VertexEmit extends Emit {
        final GraphVertex vertex;

        VertexEmit(String name, GraphVertex vertex, String... inputs) {
            super(name, inputs);
            this.vertex = vertex;
        }
    }
}
