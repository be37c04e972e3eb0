package org.graft.onnx;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The depthwise layouts: ONNX [C·m, 1, kH, kW] with output channel c·m + j ↔ DL4J [kH, kW, C, m]. */
class DepthwiseWeightsTest {
    @Test
    void layoutsAndRoundTrip() {
        long c = 3;
        long m = 2;
        INDArray onnx = Nd4j.arange(c * m * 2 * 3).castTo(DataType.FLOAT).reshape(c * m, 1, 2, 3);
        INDArray dl4j = DepthwiseWeights.toDl4j(onnx, c);
        assertArrayEquals(new long[]{2, 3, c, m}, dl4j.shape());
        for (int ci = 0; ci < c; ci++) {
            for (int j = 0; j < m; j++) {
                assertEquals(onnx.getFloat(ci * m + j, 0, 1, 2), dl4j.getFloat(1, 2, ci, j), "channel " + ci + "·" + j);
            }
        }
        assertEquals(onnx, DepthwiseWeights.toOnnx(dl4j));
    }
}
