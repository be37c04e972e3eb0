package org.graft.onnx.imports;

import org.graft.common.DamagedFileException;
import org.graft.common.UnsupportedModelException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.graft.onnx.imports.Value.Act;
import org.graft.onnx.imports.Value.ChannelsLast;
import org.graft.onnx.imports.Value.Const;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the converters share while one graph is translated: each ONNX tensor's {@link Value}, the DL4J vertices
 * to create ({@link Emit}s, in order), how many nodes read each tensor and vertex, and the checked ways to read
 * a node's inputs. Every check that fails says which file and node, as a {@link DamagedFileException} (the file
 * contradicts itself or the ONNX spec) or an {@link UnsupportedModelException} (valid ONNX Graft cannot convert).
 */
final class ConversionContext {
    /** 1 GB of float32 per image for one tensor: far above any real CNN's, far below exhausting the machine. */
    static final long MAX_VALUES_PER_IMAGE = 1L << 28;

    private final String file;
    private final long opset;
    private final String supportedOps;

    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Emit> emits = new LinkedHashMap<>();
    /** How many nodes (and graph outputs) read each ONNX tensor. */
    private final Map<String, Integer> consumers;
    /** How many readers each DL4J vertex still has: a layer read once may take on the next op's work. */
    private final Map<String, Integer> uses = new HashMap<>();
    private final Set<String> usedNames = new HashSet<>();
    /** Vertices that only hold a vector as a 1x1 map, with that vector. */
    private final Map<String, Act> oneByOneOf = new HashMap<>();
    private final GatedActivations gates;
    private String inputVertex = "";
    /** The DL4J graph's layout: NHWC where the model takes NHWC images (a Transpose to NCHW at its input). */
    private CNN2DFormat format = CNN2DFormat.NCHW;

    /** {@code consumers}: how many nodes (and graph outputs) read each tensor. */
    ConversionContext(String file, long opset, String supportedOps, Map<String, Integer> consumers,
                      GatedActivations gates) {
        this.file = file;
        this.opset = opset;
        this.supportedOps = supportedOps;
        this.consumers = Map.copyOf(consumers);
        this.gates = gates;
    }

    String file() {
        return file;
    }

    long opset() {
        return opset;
    }

    GatedActivations gates() {
        return gates;
    }

    Map<String, Emit> emits() {
        return emits;
    }

    String inputVertex() {
        return inputVertex;
    }

    /**
     * The layout of every feature map in the DL4J graph. The shapes in {@link Act} are ONNX's ([C, H, W]) either
     * way; a converter only says which layout the DL4J layers it creates work in.
     */
    CNN2DFormat format() {
        return format;
    }

    boolean channelsLast() {
        return format == CNN2DFormat.NHWC;
    }

    /** Refuses what has no channels-last DL4J form (Graft's own pad and slice vertices are NCHW only). */
    void requireChannelsFirst(OnnxNode n, String what) {
        if (channelsLast()) {
            throw unsupported(n, what + " in a model that takes NHWC images");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the graph's structure

    int consumers(String tensor) {
        return consumers.getOrDefault(tensor, 0);
    }

    boolean isKnown(String tensor) {
        return values.containsKey(tensor);
    }

    Value valueOf(String tensor) {
        return values.get(tensor);
    }

    void putConstant(String tensor, INDArray array) {
        values.put(tensor, new Const(array));
    }

    /** The graph's input: a vertex name no node may take. */
    void declareInput(String tensor, String vertex, long[] shape) {
        inputVertex = vertex;
        usedNames.add(vertex);
        bind(tensor, new Act(vertex, shape));
    }

    /**
     * An NHWC image input, {@code chw} = [C, H, W]: the DL4J graph takes it as it is and works channels-last
     * throughout, so that the Transpose to NCHW after it changes nothing on the DL4J side.
     */
    void declareChannelsLastInput(String tensor, String vertex, long[] chw) {
        declareInput(tensor, vertex, chw);
        format = CNN2DFormat.NHWC;
        values.put(tensor, new ChannelsLast(new Act(vertex, chw)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // a node's inputs

    /** Refuses a node with fewer than {@code count} inputs. */
    void requireInputs(OnnxNode n, int count) {
        if (n.inputCount() < count) {
            throw damaged(n, "has " + n.inputCount() + " inputs where the op takes at least " + count);
        }
    }

    Value value(OnnxNode n, int i) {
        String name = n.input(i);
        Value v = values.get(name);
        if (v == null) {
            throw new DamagedFileException(file + ": " + n.describe() + (name.isEmpty() ? " lacks input " + i
                    : " reads '" + name + "', which no earlier node computes") + ".",
                    "The graph is not in topological order or is damaged; export it again.");
        }
        return v;
    }

    Act act(OnnxNode n, int i) {
        Value v = value(n, i);
        if (v instanceof ChannelsLast) {
            throw unsupported(n, "a channels-last (NHWC) tensor as input " + i + " (Graft reads those only in a "
                    + "Transpose back to NCHW, a Flatten or a Reshape to [batch, features])");
        }
        if (!(v instanceof Act a)) {
            throw unsupported(n, "a constant as input " + i + " (export with constant folding)");
        }
        return a;
    }

    Act spatial(OnnxNode n, int i) {
        Act a = act(n, i);
        if (!a.spatial()) {
            throw unsupported(n, "a vector input " + Arrays.toString(a.shape()) + " where a feature map is needed");
        }
        return a;
    }

    INDArray constant(OnnxNode n, int i, String what) {
        if (n.input(i).isEmpty() || !(value(n, i) instanceof Const c)) {
            throw unsupported(n, "a computed " + what + " (input " + i + " must be a constant or initializer)");
        }
        return c.array();
    }

    /** A floating-point constant (weights): ONNX defines these ops on floats only. */
    INDArray floats(OnnxNode n, int i, String what) {
        INDArray c = constant(n, i, what);
        if (!c.dataType().isFPType()) {
            throw damaged(n, "has " + what + " of type " + c.dataType() + " where ONNX defines floating point");
        }
        return c;
    }

    /** A constant of {@code length} values as a new float vector. */
    INDArray vector(OnnxNode n, int i, long length, String what) {
        INDArray c = constant(n, i, what);
        if (c.length() != length) {
            throw unsupported(n, what + " of shape " + Arrays.toString(c.shape()) + " for " + length + " channels");
        }
        return c.castTo(DataType.FLOAT).dup().reshape(length);
    }

    double scalar(OnnxNode n, int i, String what) {
        INDArray c = constant(n, i, what);
        if (c.length() != 1) {
            throw unsupported(n, what + " of shape " + Arrays.toString(c.shape()) + " (a scalar is needed)");
        }
        return c.getDouble(0);
    }

    /** An integer constant such as a shape or pads, as longs. */
    long[] longs(OnnxNode n, int i, String what) {
        return constant(n, i, what).castTo(DataType.LONG).data().asLong();
    }

    // ---------------------------------------------------------------------------------------------------------
    // what a node produces

    String emit(Emit e) {
        emits.put(e.name, e);
        for (String in : e.inputs) {
            uses.putIfAbsent(in, 1);
        }
        return e.name;
    }

    Emit emitted(String vertex) {
        return emits.get(vertex);
    }

    /** Notes that {@code vertex} holds {@code vector} as a 1x1 map. */
    void noteOneByOne(String vertex, Act vector) {
        oneByOneOf.put(vertex, vector);
    }

    /** The vector that {@code vertex} holds as a 1x1 map, or null. */
    Act vectorOf(String vertex) {
        return oneByOneOf.get(vertex);
    }

    /** Emits a vertex that only the next one, emitted by the same node, reads (e.g. padding before a pool). */
    String emitPrivate(Emit e) {
        emit(e);
        uses.put(e.name, 1);
        return e.name;
    }

    /** A node's output is a new DL4J vertex: it has as many readers as the ONNX tensor. */
    void bind(String tensor, Act a) {
        if (Arrays.stream(a.shape()).anyMatch(d -> d < 1) || volume(a.shape()) > MAX_VALUES_PER_IMAGE) {
            throw new DamagedFileException(file + ": tensor '" + tensor + "' would have shape "
                    + Arrays.toString(a.shape()) + " per image, beyond what an image classifier computes.",
                    "The file may be damaged, or the input size wrong; export the model again.");
        }
        values.put(tensor, a);
        uses.put(a.vertex(), consumers(tensor));
    }

    /** A node's output is its input's vertex (identity, or work folded into that vertex). */
    void alias(String tensor, Act a) {
        values.put(tensor, a);
        uses.merge(a.vertex(), consumers(tensor) - 1, Integer::sum);
    }

    /** Aliases any value (a constant or a channels-last map through Identity). */
    void alias(String tensor, Value v) {
        if (v instanceof Act a) {
            alias(tensor, a);
        } else if (v instanceof ChannelsLast c) {
            aliasChannelsLast(tensor, c.map());
        } else {
            values.put(tensor, v);
        }
    }

    /** A node's output is {@code map} with its channels moved last, still held by map's vertex. */
    void aliasChannelsLast(String tensor, Act map) {
        values.put(tensor, new ChannelsLast(map));
        uses.merge(map.vertex(), consumers(tensor) - 1, Integer::sum);
    }

    /**
     * A node's output is {@code earlier}, which holds the same values as its input {@code x} (x was computed from
     * it by a single-input vertex): the node reads earlier instead of x, and x's vertex, if no one else reads it,
     * no longer reads earlier.
     */
    void readThrough(String tensor, Act x, Act earlier) {
        dropReader(x);
        if (uses.getOrDefault(x.vertex(), 0) == 0) {
            dropReader(earlier);
        }
        values.put(tensor, earlier);
        uses.merge(earlier.vertex(), consumers(tensor), Integer::sum);
    }

    /** One reader of x's vertex fewer (a node converted together with another one). */
    void dropReader(Act x) {
        uses.merge(x.vertex(), -1, Integer::sum);
    }

    /** True if the node being converted is the only reader of x's vertex (so that vertex may absorb the node). */
    boolean readOnce(Act x) {
        return uses.getOrDefault(x.vertex(), 0) == 1;
    }

    /** An open layer (convolution, dense) that only this node reads and that has no activation yet. */
    WeightedEmit absorbingLayer(Act x) {
        return emits.get(x.vertex()) instanceof WeightedEmit layer && layer.identity() && readOnce(x) ? layer : null;
    }

    String unique(String base) {
        String name = base;
        for (int i = 2; usedNames.contains(name); i++) {
            name = base + "_" + i;
        }
        usedNames.add(name);
        return name;
    }

    // ---------------------------------------------------------------------------------------------------------
    // refusals

    UnsupportedModelException unsupported(OnnxNode n, String what) {
        return new UnsupportedModelException(file + ": " + n.describe() + " uses " + what
                + ", which Graft's ONNX converter does not support.",
                "Supported ops: " + supportedOps + ". Re-export the model without it, or simplify the graph "
                        + "(onnx-simplifier).");
    }

    DamagedFileException damaged(OnnxNode n, String what) {
        return new DamagedFileException(file + ": " + n.describe() + " " + what + ".", OnnxFile.EXPORT_AGAIN);
    }

    /** The product of the dimensions, saturating at Long.MAX_VALUE instead of overflowing. */
    static long volume(long[] shape) {
        long v = 1;
        for (long d : shape) {
            if (d > 0 && v > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            v *= d;
        }
        return v;
    }
}
