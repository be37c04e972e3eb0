package org.graft.onnx.imports;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.Preprocessing;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ONNX model converted to a DL4J graph.
 *
 * @param graph         the DL4J graph, with the ONNX weights, taking images in {@code inputLayout}
 * @param inputShape    one image as the ONNX model describes it, whatever the layout: [channels, height, width]
 *                      (or [features] for a model on vectors)
 * @param inputLayout   NCHW, or NHWC where the model takes NHWC images (a Transpose to NCHW at its input, as Graft
 *                      exports Keras models): the DL4J graph then works NHWC throughout
 * @param featureVertex the input of the model's classifier (the last layer with weights on the way to the output),
 *                      or null where there is no such single layer
 * @param opset         the model's ONNX operator set version
 * @param producer      the exporter named in the file, e.g. "pytorch 1.13.1"
 * @param opCounts      how many nodes of each ONNX op type the file has
 * @param labels        the class labels in the file's metadata ({@value #LABELS}, written by Graft's export), one per
 *                      output; empty where the file has none
 * @param preprocessing how the model wants its images, from the file's metadata ({@value #PREPROCESSING}, written by
 *                      Graft's export); checked against the input's size and layout
 */
public record OnnxModel(ComputationGraph graph, long[] inputShape, Preprocessing.Layout inputLayout,
                        String featureVertex, long opset, String producer, Map<String, Integer> opCounts,
                        List<String> labels, Optional<Preprocessing> preprocessing) {
    /** The metadata key of the labels: a JSON array of strings. */
    public static final String LABELS = "graft.labels";
    /** The metadata key of the preprocessing: a {@link Preprocessing} as JSON. */
    public static final String PREPROCESSING = "graft.preprocessing";
}
