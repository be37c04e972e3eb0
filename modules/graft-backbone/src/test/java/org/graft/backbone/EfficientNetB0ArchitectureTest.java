package org.graft.backbone;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Graft's EfficientNet-B0 architecture imports into DL4J with Keras' parameter count, and survives save/load. */
class EfficientNetB0ArchitectureTest {
    @TempDir
    Path tmp;

    @Test
    void parameterCountsMatchKeras() {
        // Keras: 5,330,571 with the top and 4,049,571 without; minus Normalization's 7 statistics, which in
        // DL4J are constants of a vertex rather than parameters
        ComputationGraph top = KerasImporter.importArchitecture(EfficientNetB0.kerasConfig(true));
        assertEquals(5_330_571 - 7, top.numParams());
        ComputationGraph notop = KerasImporter.importArchitecture(EfficientNetB0.kerasConfig(false));
        assertEquals(4_049_571 - 7, notop.numParams());
    }

    @Test
    void forwardPassAndSaveLoadWithTheCustomVertices() throws Exception {
        ComputationGraph g = KerasImporter.importArchitecture(EfficientNetB0.kerasConfig(true));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 224, 224, 3).muli(255);
        INDArray y = g.outputSingle(x);
        assertArrayEquals(new long[]{2, 1000}, y.shape());
        assertEquals(2.0, y.sumNumber().doubleValue(), 1e-3, "softmax rows");
        Path zip = tmp.resolve("effnet.zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        assertEquals(y, back.outputSingle(x), "identical after save -> load");
    }
}
