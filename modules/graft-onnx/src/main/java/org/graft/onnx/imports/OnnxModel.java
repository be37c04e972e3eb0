package org.graft.onnx.imports;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Map;

/**
 * An ONNX model converted to a DL4J graph.
 *
 * @param graph         the DL4J graph, NCHW, with the ONNX weights
 * @param inputShape    one image as the graph takes it: [channels, height, width]
 * @param featureVertex the input of the model's classifier (the last layer with weights on the way to the output),
 *                      or null where there is no such single layer
 * @param opset         the model's ONNX operator set version
 * @param producer      the exporter named in the file, e.g. "pytorch 1.13.1"
 * @param opCounts      how many nodes of each ONNX op type the file has
 */
public record OnnxModel(ComputationGraph graph, long[] inputShape, String featureVertex, long opset,
                        String producer, Map<String, Integer> opCounts) {
}
