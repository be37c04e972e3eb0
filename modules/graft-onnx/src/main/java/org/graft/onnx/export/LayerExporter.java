package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.layers.Layer;

/** Writes one DL4J layer of type L as ONNX nodes on input x; returns the tensor holding its output. */
@FunctionalInterface
interface LayerExporter<L extends Layer> {
    String export(String vertex, L layer, String x, ExportContext ctx);
}
