/**
 * DL4J → ONNX: {@link org.graft.onnx.export.OnnxExporter} walks the DL4J graph in topological order and hands each
 * layer, vertex and input preprocessor to the exporter {@code ExportRegistry} holds for its class, which writes
 * ONNX nodes through {@code OnnxGraphWriter}. Activations follow the shared table
 * {@code org.graft.onnx.OnnxActivations}. To export another DL4J class, write its exporter and register it in
 * {@code ExportRegistry}; a class with no exporter is refused naming the layer.
 */
package org.graft.onnx.export;
