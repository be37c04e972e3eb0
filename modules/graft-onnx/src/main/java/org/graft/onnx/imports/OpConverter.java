package org.graft.onnx.imports;

/**
 * Converts one ONNX node: reads its inputs from the context, emits DL4J vertices (or folds its work into the
 * layer before), and binds its outputs. Registered by op type and opset range in {@link ConverterRegistry}.
 */
@FunctionalInterface
interface OpConverter {
    void convert(OnnxNode node, ConversionContext ctx);
}
