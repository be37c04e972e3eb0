package org.graft.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.GraftException;
import org.graft.data.Preprocessing;
import org.graft.onnx.export.OnnxExporter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Map;

/**
 * {@code --engine auto}: ONNX Runtime for a frozen graph where it gives what DL4J gives. The graph is exported to
 * ONNX in memory; the first batch runs through both engines, and ONNX Runtime keeps the work only if no output
 * differs from DL4J's by more than {@link EngineChoice#TOLERANCE} of the largest DL4J output. A graph that cannot
 * be exported, a runtime that will not load, or outputs that differ leave DL4J in charge, and {@link #choice()}
 * says why. On the CUDA backend DL4J runs everything: the GPU is faster than ONNX Runtime's CPU provider.
 */
final class AutoEngine implements InferenceEngine {
    private final InferenceEngine dl4j;
    private InferenceEngine onnx;
    private EngineChoice choice;

    /**
     * @param dl4j   the reference
     * @param onnx   the candidate, null when there is none
     * @param choice already made (why there is no candidate), or null to decide on the first batch
     */
    AutoEngine(InferenceEngine dl4j, InferenceEngine onnx, EngineChoice choice) {
        this.dl4j = dl4j;
        this.onnx = onnx;
        this.choice = choice;
    }

    static AutoEngine of(ComputationGraph graph, Preprocessing preprocessing) {
        Dl4jEngine dl4j = new Dl4jEngine(graph);
        if (!Nd4j.getEnvironment().isCPU()) {
            return new AutoEngine(dl4j, null, new EngineChoice(Engine.DL4J, "ND4J runs on a GPU here, which DL4J "
                    + "uses for every pass", Double.NaN, false));
        }
        try {
            return new AutoEngine(dl4j, new OnnxRuntimeEngine(OnnxExporter.export(graph, preprocessing, Map.of())
                    .toByteArray()), null);
        } catch (GraftException | LinkageError e) {
            // LinkageError: ONNX Runtime's native library would not load (here or in an earlier attempt)
            // the export names the layer it cannot write; DL4J still computes every output
            return new AutoEngine(dl4j, null, new EngineChoice(Engine.DL4J, "ONNX Runtime cannot run this model ("
                    + e.getMessage() + ")", Double.NaN, true));
        }
    }

    @Override
    public INDArray output(INDArray input) {
        if (choice == null) {
            return checkFirstBatch(input);
        }
        return choice.engine() == Engine.ONNXRUNTIME ? onnx.output(input) : dl4j.output(input);
    }

    private INDArray checkFirstBatch(INDArray input) {
        INDArray expected = dl4j.output(input).castTo(DataType.FLOAT);
        INDArray actual;
        try {
            actual = onnx.output(input);
        } catch (RuntimeException e) {
            fallBack(new EngineChoice(Engine.DL4J, "ONNX Runtime failed on the first batch (" + e.getMessage()
                    + ")", Double.NaN, true));
            return expected;
        }
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            fallBack(new EngineChoice(Engine.DL4J, "ONNX Runtime's output has shape "
                    + Arrays.toString(actual.shape()) + ", DL4J's "
                    + Arrays.toString(expected.shape()), Double.NaN, true));
            return expected;
        }
        double difference = relativeDifference(expected, actual);
        if (difference <= EngineChoice.TOLERANCE) {
            choice = new EngineChoice(Engine.ONNXRUNTIME, null, difference, false);
            return actual;
        }
        // NaN (non-finite outputs) lands here too: DL4J's own outputs are then what the caller reports on
        fallBack(new EngineChoice(Engine.DL4J, "ONNX Runtime's outputs differ from DL4J's beyond the tolerance, "
                + "so DL4J computes them", difference, true));
        return expected;
    }

    /** max |a - e| / max |e| (NaN if either holds a non-finite value). */
    static double relativeDifference(INDArray expected, INDArray actual) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), Float.MIN_NORMAL);
        double worst = Transforms.abs(expected.sub(actual), false).maxNumber().doubleValue();
        if (Double.isNaN(scale) || Double.isInfinite(scale) || Double.isNaN(worst)) {
            return Double.NaN;
        }
        return worst / scale;
    }

    private void fallBack(EngineChoice why) {
        choice = why;
        onnx.close();
        onnx = null;
    }

    @Override
    public Engine kind() {
        return choice == null ? Engine.AUTO : choice.engine();
    }

    /** What ran and why; before the first batch, only a refusal is known (else the engine is {@code AUTO}). */
    @Override
    public EngineChoice choice() {
        return choice == null ? new EngineChoice(Engine.AUTO, "not decided before the first batch", Double.NaN,
                false) : choice;
    }

    @Override
    public void close() {
        if (onnx != null) {
            onnx.close();
        }
    }
}
