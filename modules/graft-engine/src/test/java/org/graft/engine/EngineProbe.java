package org.graft.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.onnx.export.OnnxExporter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Finds the first vertex where ONNX Runtime (on the export) and DL4J disagree: what a failing export test prints. */
final class EngineProbe {
    private EngineProbe() {
    }

    static String firstDifference(ComputationGraph graph, InputType type, INDArray input, double tolerance)
            throws Exception {
        List<String> order = graph.getConfiguration().getTopologicalOrderStr().stream()
                .filter(v -> !graph.getConfiguration().getNetworkInputs().contains(v)
                        && !graph.getConfiguration().getNetworkOutputs().contains(v)).toList();
        byte[] model = OnnxExporter.exportWithProbes(graph, type, Map.of(), order).toByteArray();
        Map<String, INDArray> dl4j = graph.feedForward(new INDArray[]{input}, false, false);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.dup('c').data().asFloat()),
                     input.shape());
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
            for (String v : order) {
                OnnxTensor t = (OnnxTensor) result.get("probe_" + v).orElseThrow();
                FloatBuffer fb = t.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                INDArray ort = Nd4j.create(values, t.getInfo().getShape(), 'c');
                INDArray ours = dl4j.get(v);
                boolean nhwc = type instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC;
                if (ours.rank() == 4 && nhwc) {
                    ours = ours.permute(0, 3, 1, 2);
                }
                if (ours.length() != ort.length()) {
                    return v + ": shapes " + java.util.Arrays.toString(ours.shape()) + " vs "
                            + java.util.Arrays.toString(ort.shape());
                }
                double diff = ours.reshape(ort.shape()).sub(ort).amaxNumber().doubleValue();
                if (diff > tolerance) {
                    return String.format(Locale.ROOT, "%s (%s): max abs diff %.3g",
                            v, graph.getConfiguration().getVertices().get(v), diff);
                }
            }
        }
        return "none";
    }
}
