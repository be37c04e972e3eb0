package org.graft.onnx;

import org.graft.model.layers.ClipActivation;
import org.graft.model.layers.HardSigmoidActivation;
import org.graft.model.layers.HardSwishActivation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one table of activations between ONNX and DL4J, read by the importer (ONNX op → {@link IActivation}) and by
 * the exporter ({@link IActivation} → ONNX op), so that both directions agree by construction.
 *
 * <p>Each {@link Rule} pairs an ONNX op with the DL4J class it becomes. DL4J quirks kept here: DL4J's
 * {@code HARDSIGMOID} is fixed at slope 0.2, so ONNX's HardSigmoid becomes Graft's {@link HardSigmoidActivation};
 * DL4J has no general clip, so Clip becomes ReLU6, ReLU or HardTanh where its bounds are theirs and Graft's
 * {@link ClipActivation} otherwise; Keras' {@code ReLU(max_value, threshold, negative_slope)} imports as one
 * {@link ActivationReLU} whose {@code toString()} hides the fields that carry the rest, so it exports as Clip or
 * LeakyRelu by those fields; Swish is x·Sigmoid(x), two ONNX nodes ({@link Form#gated()}).
 */
public final class OnnxActivations {
    /** A float parameter of an ONNX activation: an attribute (alpha, beta) or Clip's "min"/"max" bound. */
    @FunctionalInterface
    public interface Parameters {
        float get(String name, float fallback);
    }

    /**
     * An activation as ONNX writes it: {@code op(x)}, or {@code x * op(x)} where gated. Clip's bounds are the
     * attributes "min" and "max" here, whatever the opset makes of them (attributes before 11, inputs after).
     */
    public record Form(String op, Map<String, Object> attributes, boolean gated) {
        public Form {
            attributes = new TreeMap<>(attributes); // a fixed attribute order: the same file every run
        }

        static Form of(String op, Object... nameValue) {
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (int i = 0; i < nameValue.length; i += 2) {
                attrs.put((String) nameValue[i], nameValue[i + 1]);
            }
            return new Form(op, attrs, false);
        }

        static Form clip(double min, double max) {
            return of("Clip", "min", (float) min, "max", (float) max);
        }
    }

    /** One ONNX op and the DL4J activation class it is, both ways. */
    private record Rule(String op, Class<? extends IActivation> dl4j, Function<Parameters, IActivation> toDl4j,
                        Function<IActivation, Form> toOnnx) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("Relu", ActivationReLU.class, p -> Activation.RELU.getActivationFunction(),
                    a -> relu((ActivationReLU) a)),
            new Rule("Sigmoid", ActivationSigmoid.class, p -> Activation.SIGMOID.getActivationFunction(),
                    a -> Form.of("Sigmoid")),
            new Rule("Tanh", ActivationTanH.class, p -> Activation.TANH.getActivationFunction(),
                    a -> Form.of("Tanh")),
            new Rule("LeakyRelu", ActivationLReLU.class, p -> new ActivationLReLU(p.get("alpha", 0.01f)),
                    a -> Form.of("LeakyRelu", "alpha", (float) ((ActivationLReLU) a).getAlpha())),
            new Rule("Elu", ActivationELU.class, p -> new ActivationELU(p.get("alpha", 1f)),
                    a -> Form.of("Elu", "alpha", (float) ((ActivationELU) a).getAlpha())),
            new Rule("HardSigmoid", HardSigmoidActivation.class,
                    p -> new HardSigmoidActivation(p.get("alpha", 0.2f), p.get("beta", 0.5f)),
                    a -> Form.of("HardSigmoid", "alpha", (float) ((HardSigmoidActivation) a).getAlpha(),
                            "beta", (float) ((HardSigmoidActivation) a).getBeta())),
            new Rule("HardSwish", HardSwishActivation.class, p -> new HardSwishActivation(),
                    a -> Form.of("HardSwish")),
            new Rule("Clip", ClipActivation.class, OnnxActivations::clip,
                    a -> Form.clip(((ClipActivation) a).getMin(), ((ClipActivation) a).getMax())),
            new Rule("Softmax", ActivationSoftmax.class, p -> Activation.SOFTMAX.getActivationFunction(),
                    a -> Form.of("Softmax", "axis", 1L)));

    /** DL4J activations that import never produces under their own op, and how they export. */
    private static final Map<Class<? extends IActivation>, Function<IActivation, Form>> EXPORT_ONLY = Map.of(
            ActivationReLU6.class, a -> Form.clip(0, 6),
            ActivationHardTanH.class, a -> Form.clip(-1, 1),
            // DL4J's own hard sigmoid: slope 0.2, offset 0.5
            ActivationHardSigmoid.class, a -> Form.of("HardSigmoid", "alpha", 0.2f, "beta", 0.5f),
            ActivationSwish.class, a -> new Form("Sigmoid", Map.of(), true));

    private static final Map<String, Rule> BY_OP = RULES.stream()
            .collect(Collectors.toUnmodifiableMap(Rule::op, r -> r));
    private static final Map<Class<? extends IActivation>, Function<IActivation, Form>> BY_CLASS = byClass();

    private OnnxActivations() {
    }

    private static Map<Class<? extends IActivation>, Function<IActivation, Form>> byClass() {
        Map<Class<? extends IActivation>, Function<IActivation, Form>> m = new LinkedHashMap<>(EXPORT_ONLY);
        RULES.forEach(r -> m.put(r.dl4j(), r.toOnnx()));
        return Map.copyOf(m);
    }

    /** The ONNX ops that import as an activation. */
    public static Set<String> ops() {
        return BY_OP.keySet();
    }

    /** The DL4J activation for an ONNX activation op (one of {@link #ops()}). */
    public static IActivation toDl4j(String op, Parameters parameters) {
        Rule rule = BY_OP.get(op);
        if (rule == null) {
            throw new IllegalArgumentException(op + " is not an activation");
        }
        return rule.toDl4j().apply(parameters);
    }

    /**
     * x·gate(x) as one DL4J activation: x·Sigmoid(x) is Swish (SiLU), x·HardSigmoid(x) with PyTorch's slope 1/6
     * and offset 1/2 is HardSwish (torch's export at opset 13). Empty for any other gate.
     */
    public static Optional<IActivation> gatedToDl4j(String gateOp, Parameters parameters) {
        if (gateOp.equals("Sigmoid")) {
            return Optional.of(Activation.SWISH.getActivationFunction());
        }
        if (gateOp.equals("HardSigmoid") && Math.abs(parameters.get("alpha", 0.2f) - 1 / 6f) < 1e-6
                && parameters.get("beta", 0.5f) == 0.5f) {
            return Optional.of(new HardSwishActivation());
        }
        return Optional.empty();
    }

    /** True for DL4J's identity (or no activation at all): nothing to write. */
    public static boolean isIdentity(IActivation activation) {
        return activation == null || activation instanceof ActivationIdentity;
    }

    /** The ONNX form of a DL4J activation (not identity); empty where ONNX has none Graft knows. */
    public static Optional<Form> toOnnx(IActivation activation) {
        for (Class<?> c = activation.getClass(); c != null; c = c.getSuperclass()) {
            Function<IActivation, Form> rule = BY_CLASS.get(c);
            if (rule != null) {
                return Optional.ofNullable(rule.apply(activation));
            }
        }
        return Optional.empty();
    }

    /** The activation with the fields its {@code toString()} may leave out (ActivationReLU's), for messages. */
    public static String describe(IActivation activation) {
        if (activation instanceof ActivationReLU r) {
            return "relu (max " + r.getMax() + ", threshold " + r.getThreshold() + ", negative slope "
                    + r.getNegativeSlope() + ")";
        }
        return String.valueOf(activation);
    }

    /** Clip by its bounds: DL4J's own ReLU6, ReLU and HardTanh where they are exactly those. */
    private static IActivation clip(Parameters p) {
        double min = p.get("min", -Float.MAX_VALUE);
        double max = p.get("max", Float.MAX_VALUE);
        if (min == 0 && max == 6) {
            return Activation.RELU6.getActivationFunction();
        }
        if (min == 0 && max >= Float.MAX_VALUE) {
            return Activation.RELU.getActivationFunction();
        }
        if (min == -1 && max == 1) {
            return Activation.HARDTANH.getActivationFunction();
        }
        return new ClipActivation(min, max);
    }

    /** Keras' ReLU(max_value, threshold, negative_slope) as one DL4J ReLU; null where ONNX has no single op. */
    private static Form relu(ActivationReLU r) {
        double threshold = r.getThreshold() == null ? 0 : r.getThreshold();
        double slope = r.getNegativeSlope() == null ? 0 : r.getNegativeSlope();
        if (threshold == 0 && slope == 0) {
            return r.getMax() == null ? Form.of("Relu") : Form.clip(0, r.getMax());
        }
        if (threshold == 0 && r.getMax() == null) {
            return Form.of("LeakyRelu", "alpha", (float) slope);
        }
        return null;
    }
}
