/**
 * ONNX both ways. {@link org.graft.onnx.imports} turns an ONNX image classifier into a DL4J graph (a per-op
 * converter registry), {@link org.graft.onnx.export} writes a DL4J graph as ONNX (a per-class exporter registry).
 * What both directions must agree on is defined once, here: the activations ({@link org.graft.onnx.OnnxActivations})
 * and the depthwise-convolution weight layout ({@link org.graft.onnx.DepthwiseWeights}).
 */
package org.graft.onnx;
