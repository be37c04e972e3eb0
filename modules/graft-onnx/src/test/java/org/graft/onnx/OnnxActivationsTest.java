package org.graft.onnx;

import org.graft.model.layers.ClipActivation;
import org.graft.model.layers.HardSigmoidActivation;
import org.graft.model.layers.HardSwishActivation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared activation table, both ways: what import makes of an ONNX op, export writes back as that op. */
class OnnxActivationsTest {
    private static OnnxActivations.Parameters params(Map<String, Float> values) {
        return (name, fallback) -> values.getOrDefault(name, fallback);
    }

    @Test
    void everyImportedActivationExportsAsItsOp() {
        Map<String, Map<String, Float>> examples = Map.of(
                "LeakyRelu", Map.of("alpha", 0.3f), "Elu", Map.of("alpha", 0.7f),
                "HardSigmoid", Map.of("alpha", 1 / 6f, "beta", 0.5f), "Clip", Map.of("min", -2f, "max", 3f));
        for (String op : OnnxActivations.ops()) {
            Map<String, Float> p = examples.getOrDefault(op, Map.of());
            IActivation a = OnnxActivations.toDl4j(op, params(p));
            OnnxActivations.Form form = OnnxActivations.toOnnx(a).orElseThrow();
            assertEquals(op, form.op(), op + " → " + a);
            p.forEach((k, v) -> assertEquals(v, form.attributes().get(k), op + "." + k));
        }
    }

    @Test
    void clipBecomesDl4jsOwnActivationsWhereItCan() {
        assertInstanceOf(ActivationReLU6.class, OnnxActivations.toDl4j("Clip", params(Map.of("min", 0f, "max", 6f))));
        assertInstanceOf(ActivationReLU.class, OnnxActivations.toDl4j("Clip", params(Map.of("min", 0f))));
        assertInstanceOf(ActivationHardTanH.class, OnnxActivations.toDl4j("Clip",
                params(Map.of("min", -1f, "max", 1f))));
        assertInstanceOf(ClipActivation.class, OnnxActivations.toDl4j("Clip", params(Map.of("max", 1f))));
        assertEquals(OnnxActivations.Form.clip(0, 6), OnnxActivations.toOnnx(new ActivationReLU6()).orElseThrow());
        assertEquals(OnnxActivations.Form.clip(-1, 1), OnnxActivations.toOnnx(new ActivationHardTanH())
                .orElseThrow());
    }

    @Test
    void hardSigmoidDefaultsAreOnnxsNotDl4js() {
        HardSigmoidActivation h = (HardSigmoidActivation) OnnxActivations.toDl4j("HardSigmoid", params(Map.of()));
        assertEquals(0.2, h.getAlpha(), 1e-7);
        assertEquals(0.5, h.getBeta(), 1e-7);
        OnnxActivations.Form dl4jOwn = OnnxActivations.toOnnx(new ActivationHardSigmoid()).orElseThrow();
        assertEquals(0.2f, dl4jOwn.attributes().get("alpha"));
    }

    @Test
    void gatedPairsAreSwishAndHardSwish() {
        assertInstanceOf(ActivationSwish.class, OnnxActivations.gatedToDl4j("Sigmoid", params(Map.of()))
                .orElseThrow());
        assertInstanceOf(HardSwishActivation.class, OnnxActivations.gatedToDl4j("HardSigmoid",
                params(Map.of("alpha", 1 / 6f))).orElseThrow());
        assertTrue(OnnxActivations.gatedToDl4j("HardSigmoid", params(Map.of())).isEmpty(), "slope 0.2 is no swish");
        OnnxActivations.Form swish = OnnxActivations.toOnnx(new ActivationSwish()).orElseThrow();
        assertEquals("Sigmoid", swish.op());
        assertTrue(swish.gated());
    }

    @Test
    void kerasReluCarriesItsFieldsOutsideToString() {
        assertEquals(OnnxActivations.Form.clip(0, 6), OnnxActivations.toOnnx(new ActivationReLU(6.0, 0.0, 0.0))
                .orElseThrow());
        OnnxActivations.Form leaky = OnnxActivations.toOnnx(new ActivationReLU(null, 0.0, 0.1)).orElseThrow();
        assertEquals("LeakyRelu", leaky.op());
        assertEquals(0.1f, leaky.attributes().get("alpha"));
        assertTrue(OnnxActivations.toOnnx(new ActivationReLU(null, 0.5, 0.0)).isEmpty(), "a threshold has no op");
        assertTrue(OnnxActivations.describe(new ActivationReLU(null, 0.5, 0.0)).contains("threshold 0.5"));
    }

    @Test
    void identityAndOthers() {
        assertTrue(OnnxActivations.isIdentity(null));
        assertTrue(OnnxActivations.isIdentity(new ActivationIdentity()));
        assertEquals("Tanh", OnnxActivations.toOnnx(new ActivationTanH()).orElseThrow().op());
        assertEquals(0.3f, OnnxActivations.toOnnx(new ActivationLReLU(0.3)).orElseThrow().attributes().get("alpha"));
        assertEquals(0.7f, OnnxActivations.toOnnx(new ActivationELU(0.7)).orElseThrow().attributes().get("alpha"));
    }
}
