package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.graph.GraphVertex;

import java.util.List;

/** Writes one DL4J graph vertex of type V (not a layer) as ONNX nodes; returns the tensor holding its output. */
@FunctionalInterface
interface VertexExporter<V extends GraphVertex> {
    String export(String vertex, V v, List<String> inputs, ExportContext ctx);
}
