package org.graft.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.graft.common.UnsupportedModelException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime (CPU) on an ONNX model in memory. Threads: {@code GRAFT_THREADS}, else the number of cores, as
 * ND4J uses.
 */
public final class OnnxRuntimeEngine implements InferenceEngine {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;

    public OnnxRuntimeEngine(byte[] model) {
        try {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads());
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, options);
            inputName = session.getInputNames().iterator().next();
        } catch (OrtException | UnsatisfiedLinkError e) {
            throw new UnsupportedModelException("ONNX Runtime cannot load the model: " + e.getMessage(),
                    "Use the DL4J engine (--engine dl4j).", e);
        }
    }

    static int threads() {
        String env = System.getenv("GRAFT_THREADS");
        if (env != null && env.matches("\\d+") && Integer.parseInt(env) > 0) {
            return Integer.parseInt(env);
        }
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public INDArray output(INDArray input) {
        float[] data = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), input.shape());
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer values = out.getFloatBuffer();
            float[] copy = new float[values.remaining()];
            values.get(copy);
            return Nd4j.create(copy, out.getInfo().getShape(), 'c');
        } catch (OrtException e) {
            throw new UnsupportedModelException("ONNX Runtime failed: " + e.getMessage(),
                    "Use the DL4J engine (--engine dl4j).",
                    e);
        }
    }

    @Override
    public Engine kind() {
        return Engine.ONNXRUNTIME;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing to save
        }
    }
}
