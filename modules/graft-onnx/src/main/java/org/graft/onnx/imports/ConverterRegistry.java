package org.graft.onnx.imports;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ONNX op type → its converter, by the range of opset versions the converter implements: the one list of what
 * Graft imports. The supported-op list in every message is derived from it. To add an op, write an
 * {@link OpConverter} and add one line to {@link #standard()}.
 */
final class ConverterRegistry {
    /** A converter for opsets since..until (inclusive). */
    private record Entry(long since, long until, OpConverter converter) {
        boolean covers(long opset) {
            return since <= opset && opset <= until;
        }
    }

    private static final long ANY = Long.MAX_VALUE;
    private static final ConverterRegistry STANDARD = buildStandard();

    private final Map<String, List<Entry>> byOp;

    private ConverterRegistry(Map<String, List<Entry>> byOp) {
        this.byOp = byOp;
    }

    /** Graft's converters. */
    static ConverterRegistry standard() {
        return STANDARD;
    }

    private static ConverterRegistry buildStandard() {
        Builder b = new Builder();
        b.add("Constant", new ConstantConverter());
        b.add("Identity", new PassThroughConverter());
        b.add("Dropout", new PassThroughConverter());
        b.add("Conv", new ConvConverter());
        b.add("BatchNormalization", new BatchNormConverter());
        for (String op : List.of("Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "HardSigmoid", "HardSwish")) {
            b.add(op, new ActivationConverter());
        }
        b.add("Clip", 1, 10, ClipConverter.fromAttributes());
        b.add("Clip", 11, ANY, ClipConverter.fromInputs());
        b.add("Softmax", 1, 12, new SoftmaxConverter(1));
        b.add("Softmax", 13, ANY, new SoftmaxConverter(-1));
        for (String op : List.of("Add", "Sub", "Mul", "Div")) {
            b.add(op, new ArithmeticConverter());
        }
        b.add("GlobalAveragePool", new GlobalPoolConverter());
        b.add("GlobalMaxPool", new GlobalPoolConverter());
        b.add("MaxPool", new PoolConverter());
        b.add("AveragePool", new PoolConverter());
        b.add("Pad", 1, 10, PadConverter.fromAttributes());
        b.add("Pad", 11, ANY, PadConverter.fromInputs());
        b.add("Flatten", new FlattenConverter());
        b.add("Reshape", new ReshapeConverter());
        b.add("Gemm", new GemmConverter());
        b.add("MatMul", new MatMulConverter());
        b.add("Concat", new ConcatConverter());
        // what Graft's export writes besides: NHWC models' layout changes, channel slices, Mean and Max
        b.add("Transpose", new TransposeConverter());
        b.add("Slice", 1, 9, SliceConverter.fromAttributes());
        b.add("Slice", 10, ANY, SliceConverter.fromInputs());
        b.add("Mean", new ElementWiseConverter());
        b.add("Max", new ElementWiseConverter());
        return b.build();
    }

    /** The converter for {@code op} at {@code opset}, if Graft has one. */
    Optional<OpConverter> find(String op, long opset) {
        return byOp.getOrDefault(op, List.of()).stream().filter(e -> e.covers(opset)).findFirst()
                .map(Entry::converter);
    }

    /** Every op type with a converter (at some opset), sorted. */
    SortedSet<String> supportedOps() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(byOp.keySet()));
    }

    static final class Builder {
        private final Map<String, List<Entry>> byOp = new TreeMap<>();

        Builder add(String op, OpConverter converter) {
            return add(op, 1, ANY, converter);
        }

        Builder add(String op, long since, long until, OpConverter converter) {
            List<Entry> entries = byOp.computeIfAbsent(op, k -> new ArrayList<>());
            if (entries.stream().anyMatch(e -> e.since() <= until && since <= e.until())) {
                throw new IllegalStateException(op + ": two converters for overlapping opsets");
            }
            entries.add(new Entry(since, until, converter));
            return this;
        }

        ConverterRegistry build() {
            Map<String, List<Entry>> copy = new TreeMap<>();
            byOp.forEach((op, entries) -> copy.put(op, List.copyOf(entries)));
            return new ConverterRegistry(Collections.unmodifiableMap(copy));
        }
    }
}
