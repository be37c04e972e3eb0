package org.graft.model.layers;

/** A parameter-free vertex with exactly one input (padding, slicing, a fixed affine map). */
abstract class UnaryParameterFreeVertex extends ParameterFreeVertex {

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }
}
