package org.graft.onnx.imports;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Constant: a tensor known when converting (torch writes Clip's bounds and Reshape's shapes this way). */
final class ConstantConverter implements OpConverter {
    @Override
    public void convert(OnnxNode n, ConversionContext ctx) {
        INDArray value;
        if (n.has("value")) {
            value = OnnxTensors.toArray(n.getTensor("value"), ctx.file() + " " + n.describe());
        } else if (n.has("value_float")) {
            value = Nd4j.scalar(n.getFloat("value_float", 0));
        } else if (n.has("value_floats")) {
            value = Nd4j.createFromArray(n.getFloats("value_floats"));
        } else if (n.has("value_int")) {
            value = Nd4j.scalar(n.getInt("value_int", 0));
        } else if (n.has("value_ints")) {
            value = Nd4j.createFromArray(n.getInts("value_ints", new long[0]));
        } else {
            throw ctx.unsupported(n, "a Constant of this kind (" + n.attributeNames() + ")");
        }
        ctx.putConstant(n.output(), value);
    }
}
