package org.graft.onnx.export;

import org.deeplearning4j.nn.conf.InputPreProcessor;

/** Writes one DL4J input preprocessor of type P (a flatten or reshape) on input x; returns its output tensor. */
@FunctionalInterface
interface PreprocessorExporter<P extends InputPreProcessor> {
    String export(String vertex, P preprocessor, String x, ExportContext ctx);
}
