/**
 * ONNX → DL4J: {@link org.graft.onnx.imports.OnnxConverter} reads a file ({@code OnnxFile}, {@code OnnxTensors}:
 * every size checked against the bytes present) and {@code OnnxGraphTranslator} walks the nodes in order, handing
 * each to the {@code OpConverter} that {@code ConverterRegistry} holds for its op type and the model's opset. The
 * converters share a {@code ConversionContext}: each tensor's value and per-image shape, the DL4J vertices to
 * create, and who reads what (so that an activation, a constant scale or shift can fold into the single layer
 * before it). {@code GraphAssembler} builds the DL4J graph at the end. A file that contradicts itself or the spec
 * is refused with a {@code DamagedFileException}, valid ONNX Graft cannot convert with an
 * {@code UnsupportedModelException}, both naming the file and the node.
 *
 * <p><b>Adding an ONNX op:</b> write one {@code OpConverter} (see {@code GlobalPoolConverter} for a small one),
 * check every attribute and input it reads, and register it in {@code ConverterRegistry.standard()}, with the
 * opset range it implements where the op changed between opsets (as Clip, Pad, Slice and Softmax do). The
 * supported-op list in messages follows from the registry. An activation also goes into
 * {@code org.graft.onnx.OnnxActivations}, so that the exporter writes it back. Graft reads back what its export
 * writes: a new exporter's ONNX output needs a converter here too ({@code OnnxReadBackTest}).
 */
package org.graft.onnx.imports;
