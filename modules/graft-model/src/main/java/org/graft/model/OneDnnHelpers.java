package org.graft.model;

import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's oneDNN layer helpers on the CPU. DL4J 1.0.0-M2.1 creates them only when the system property
 * {@value #DISABLE_PROPERTY} is "false" (its default is "true") and when its check for a oneDNN build succeeds, which
 * needs the bridge class {@link org.nd4j.nativeblas.Nd4jCpu}. With both, convolutions run in oneDNN rather than as
 * im2col and a matrix product: measured with {@code graft bench --profile}, 2-7x faster per layer. Graft's entry
 * points (the CLI, backbone and model loading) call {@link #enable()} before they build a graph; the outputs are
 * the same to float rounding (the golden tests against Keras and PyTorch run with the helpers on).
 */
public final class OneDnnHelpers {
    /** DL4J's switch; set it to "true" (-D on the java command line) to run without the helpers. */
    public static final String DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private OneDnnHelpers() {
    }

    /**
     * Lets DL4J create its oneDNN helpers for layers built from now on, on the CPU backend and unless the user set
     * {@value #DISABLE_PROPERTY} (on CUDA, DL4J would look for cuDNN helpers that Graft does not ship).
     */
    public static void enable() {
        if (System.getProperty(DISABLE_PROPERTY) == null && Nd4j.getEnvironment().isCPU()) {
            System.setProperty(DISABLE_PROPERTY, "false");
        }
    }

    /** Whether layers built now get oneDNN helpers. */
    public static boolean active() {
        return "false".equals(System.getProperty(DISABLE_PROPERTY)) && Nd4j.getEnvironment().isCPU()
                && BaseMKLDNNHelper.mklDnnEnabled();
    }
}
