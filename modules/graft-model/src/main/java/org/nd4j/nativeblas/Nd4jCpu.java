package org.nd4j.nativeblas;

/**
 * A bridge for a DL4J 1.0.0-M2.1 bug, not an ND4J class: DL4J decides whether its oneDNN layer helpers (convolution,
 * BatchNorm, pooling) may run by calling {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}
 * by reflection, but ND4J M2.1 moved that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed
 * the method {@code isUseONEDNN}; the lookup fails and every convolution falls back to im2col and a matrix product,
 * 2-7x slower. This class answers the old call with the new one. See {@link org.graft.model.OneDnnHelpers}.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** What DL4J's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks for. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether ND4J's native CPU library was built with oneDNN and uses it (false on other backends). */
        public boolean isUseMKLDNN() {
            try {
                // by name: the CUDA build of Graft has no CPU bindings to compile against
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
