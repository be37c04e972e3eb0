package org.graft.onnx.imports;

import org.graft.onnx.OnnxActivations;
import org.nd4j.linalg.activations.IActivation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The x·gate(x) pairs of a graph (x·Sigmoid(x) is SiLU/Swish, x·HardSigmoid(x) HardSwish at opset 13), found
 * before translation so that the gate node is skipped and its Mul becomes one activation of x.
 */
final class GatedActivations {
    /** The Mul of x * gate(x): x's tensor name and the activation the pair computes. */
    record Gate(String x, IActivation activation) {
    }

    private final Set<Integer> absorbedGates = new HashSet<>();
    private final Map<Integer, Gate> gatedMuls = new HashMap<>();

    /** {@code consumers} counts the readers of a tensor. */
    GatedActivations(List<OnnxNode> nodes, ToIntFunction<String> consumers) {
        Map<String, OnnxNode> readerOf = new HashMap<>();
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) {
                readerOf.put(in, n);
            }
        }
        for (OnnxNode gate : nodes) {
            if (!(gate.op().equals("Sigmoid") || gate.op().equals("HardSigmoid"))
                    || consumers.applyAsInt(gate.output()) != 1) {
                continue;
            }
            Optional<IActivation> pair = OnnxActivations.gatedToDl4j(gate.op(), gate::getFloat);
            OnnxNode mul = readerOf.get(gate.output());
            String x = gate.input(0);
            if (pair.isPresent() && mul != null && mul.op().equals("Mul") && mul.inputCount() == 2
                    && multipliesPair(mul, x, gate.output())) {
                absorbedGates.add(gate.index());
                gatedMuls.put(mul.index(), new Gate(x, pair.get()));
            }
        }
    }

    private static boolean multipliesPair(OnnxNode mul, String x, String gate) {
        return !x.equals(gate) && (mul.input(0).equals(x) && mul.input(1).equals(gate)
                || mul.input(0).equals(gate) && mul.input(1).equals(x));
    }

    /** True for a gate converted together with its Mul. */
    boolean absorbed(OnnxNode n) {
        return absorbedGates.contains(n.index());
    }

    /** The gate pair a Mul completes, or null. */
    Gate completedBy(OnnxNode n) {
        return gatedMuls.get(n.index());
    }
}
