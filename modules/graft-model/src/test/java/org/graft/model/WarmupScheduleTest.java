package org.graft.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.graft.model.schedule.WarmupSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmupScheduleTest {
    @Test
    void warmsUpLinearlyThenFollowsItsShape() {
        WarmupSchedule cosine = new WarmupSchedule(WarmupSchedule.Shape.COSINE, 1e-3, 10, 110);
        assertEquals(1e-4, cosine.valueAt(0, 0), 1e-15);
        assertEquals(1e-3, cosine.valueAt(9, 0), 1e-15);
        assertEquals(1e-3, cosine.valueAt(10, 0), 1e-15);
        assertEquals(1e-3 * (0.01 + 0.99 * 0.5), cosine.valueAt(60, 0), 1e-12, "half-way down");
        assertEquals(1e-5, cosine.valueAt(110, 0), 1e-15, "ends at 1% of the peak");
        assertEquals(1e-5, cosine.valueAt(500, 0), 1e-15, "and stays there");

        WarmupSchedule constant = new WarmupSchedule(WarmupSchedule.Shape.CONSTANT, 0.01, 0, 50);
        assertEquals(0.01, constant.valueAt(0, 0));
        assertEquals(0.01, constant.valueAt(49, 0));

        WarmupSchedule oneCycle = new WarmupSchedule(WarmupSchedule.Shape.ONECYCLE, 1.0, 0, 100);
        assertEquals(1 / 25.0, oneCycle.valueAt(0, 0), 1e-12);
        assertEquals(1.0, oneCycle.valueAt(30, 0), 1e-12, "peak after 30% of the steps");
        assertTrue(oneCycle.valueAt(15, 0) > oneCycle.valueAt(5, 0));
        assertTrue(oneCycle.valueAt(99, 0) < 1e-3);
    }

    @Test
    void travelsInsideAModelConfigurationJson() {
        WarmupSchedule s = new WarmupSchedule(WarmupSchedule.Shape.ONECYCLE, 3e-4, 5, 40);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Adam(s)).graphBuilder()
                .addInputs("in").addLayer("dense", new DenseLayer.Builder().nIn(3).nOut(2).build(), "in")
                .addLayer("out", new OutputLayer.Builder().nIn(2).nOut(2).build(), "dense").setOutputs("out").build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        var layer = (BaseLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("dense"))
                .getLayerConf().getLayer();
        assertEquals(s, ((Adam) layer.getIUpdater()).getLearningRateSchedule());
    }
}
