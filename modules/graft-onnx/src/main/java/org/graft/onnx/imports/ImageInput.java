package org.graft.onnx.imports;

import onnx.Onnx;
import org.graft.common.BadOptionException;
import org.graft.common.UnsupportedModelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;

/**
 * The graph's one input: an image [N, C, H, W], declared as [C, H, W] with H and W fixed by the file or the caller
 * (224 where both leave them open), or a feature vector [N, F], declared as [F]. An image input that only
 * Transposes to NCHW read ([N, H, W, C], as Graft exports Keras models and tf2onnx writes TensorFlow ones) is an
 * NHWC model: declared [C, H, W] all the same, and the DL4J graph takes NHWC images.
 */
final class ImageInput {
    private static final Logger log = LoggerFactory.getLogger(ImageInput.class);
    private static final long DEFAULT_SIZE = 224;
    /** NHWC → NCHW. */
    static final long[] TO_CHANNELS_FIRST = {0, 3, 1, 2};

    private final String file;
    private final int[] requestedSize;

    /** {@code requestedSize}: [height, width] from the caller, or null. */
    ImageInput(String file, int[] requestedSize) {
        this.file = file;
        this.requestedSize = requestedSize;
    }

    /** Declares the input in the context; returns its per-example shape. */
    long[] declare(Onnx.GraphProto graph, List<OnnxNode> nodes, ConversionContext ctx) {
        List<Onnx.ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(i -> !ctx.isKnown(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new UnsupportedModelException(file + " has " + inputs.size() + " inputs "
                    + inputs.stream().map(Onnx.ValueInfoProto::getName).toList() + "; Graft converts models with one "
                    + "image input.", "Export the model with a single input tensor of shape [batch, 3, H, W].");
        }
        Onnx.ValueInfoProto in = inputs.get(0);
        List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        String vertex = ctx.unique(in.getName().isEmpty() ? "input" : in.getName());
        if (dims.size() == 2 && dims.get(1).hasDimValue() && dims.get(1).getDimValue() > 0) {
            // a model on feature vectors (a classifier head on its own)
            long[] shape = {dims.get(1).getDimValue()};
            ctx.declareInput(in.getName(), vertex, shape);
            return shape;
        }
        if (dims.size() != 4) {
            throw new UnsupportedModelException(file + ": input '" + in.getName() + "' has rank " + dims.size()
                    + "; an image classifier takes [batch, channels, height, width].",
                    "Export the model with an NCHW image input.");
        }
        boolean nhwc = onlyTransposedToChannelsFirst(in.getName(), nodes);
        // where channels, height and width are among the dimensions
        int c = nhwc ? 3 : 1;
        int[] hwAt = nhwc ? new int[]{1, 2} : new int[]{2, 3};
        long channels = dims.get(c).hasDimValue() ? dims.get(c).getDimValue() : 3;
        long[] hw = new long[2];
        for (int i = 0; i < 2; i++) {
            Onnx.TensorShapeProto.Dimension d = dims.get(hwAt[i]);
            if (d.hasDimValue() && d.getDimValue() > 0) {
                hw[i] = d.getDimValue();
                if (requestedSize != null && requestedSize[i] != hw[i]) {
                    throw new BadOptionException(file + " takes " + dims.get(hwAt[0]).getDimValue() + "x"
                            + dims.get(hwAt[1]).getDimValue() + " images, not " + requestedSize[0] + "x"
                            + requestedSize[1] + ".", "Use the model's own input size in the preprocessing.");
                }
            } else {
                hw[i] = requestedSize != null ? requestedSize[i] : DEFAULT_SIZE;
            }
        }
        if (requestedSize == null && (!dims.get(hwAt[0]).hasDimValue() || !dims.get(hwAt[1]).hasDimValue())) {
            log.info("{} leaves the image size open; using {}x{}", file, hw[0], hw[1]);
        }
        long[] shape = {channels, hw[0], hw[1]};
        if (nhwc) {
            ctx.declareChannelsLastInput(in.getName(), vertex, shape);
        } else {
            ctx.declareInput(in.getName(), vertex, shape);
        }
        return shape;
    }

    /** True if nodes read the input and every one is a Transpose from NHWC to NCHW. */
    private static boolean onlyTransposedToChannelsFirst(String input, List<OnnxNode> nodes) {
        List<OnnxNode> readers = nodes.stream().filter(n -> n.inputs().contains(input)).toList();
        return !readers.isEmpty() && readers.stream().allMatch(n -> n.op().equals("Transpose")
                && (n.domain().isEmpty() || n.domain().equals("ai.onnx")) && n.input(0).equals(input)
                && Arrays.equals(n.getInts("perm", null), TO_CHANNELS_FIRST));
    }
}
