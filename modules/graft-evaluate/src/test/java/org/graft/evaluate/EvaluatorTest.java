package org.graft.evaluate;

import org.graft.model.EvaluationReport;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EvaluatorTest {
    /** Truth a,a,b,b,c,c; predictions a,b,b,b,c,a: every figure below is worked out by hand. */
    @Test
    void metricsMatchAHandWorkedExample() {
        float[][] probs = {
                {0.8f, 0.1f, 0.1f}, {0.3f, 0.6f, 0.1f},   // a -> a, a -> b
                {0.1f, 0.8f, 0.1f}, {0.2f, 0.7f, 0.1f},   // b -> b, b -> b
                {0.1f, 0.1f, 0.8f}, {0.5f, 0.1f, 0.4f}};  // c -> c, c -> a
        float[][] truth = {{1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}};
        DataSet ds = new DataSet(Nd4j.createFromArray(probs), Nd4j.createFromArray(truth));
        ds.setExampleMetaData(List.of("a1", "a2", "b1", "b2", "c1", "c2"));
        EvaluationReport r = Evaluator.evaluate(List.of("a", "b", "c"), List.of(ds).iterator(), x -> x);

        assertEquals(6, r.count());
        assertEquals(4 / 6.0, r.accuracy(), 1e-9);
        assertEquals(0.5, r.perClass().get(0).precision(), 1e-9);
        assertEquals(0.5, r.perClass().get(0).recall(), 1e-9);
        assertEquals(2 / 3.0, r.perClass().get(1).precision(), 1e-9);
        assertEquals(1.0, r.perClass().get(1).recall(), 1e-9);
        assertEquals(0.8, r.perClass().get(1).f1(), 1e-9);
        assertEquals(1.0, r.perClass().get(2).precision(), 1e-9);
        assertEquals(2 / 3.0, r.perClass().get(2).f1(), 1e-9);
        assertEquals((0.5 + 0.8 + 2 / 3.0) / 3, r.macroF1(), 1e-9);
        assertArrayEquals(new long[]{1, 1, 0}, r.confusionMatrix()[0]);
        assertArrayEquals(new long[]{0, 2, 0}, r.confusionMatrix()[1]);
        assertArrayEquals(new long[]{1, 0, 1}, r.confusionMatrix()[2]);
        assertEquals(2, r.misclassified().size());
        assertEquals("a2", r.misclassified().get(0).path());
        assertEquals("b", r.misclassified().get(0).predictedLabel());
        assertEquals("c2", r.misclassified().get(1).path());
        assertEquals(0.5, r.misclassified().get(1).predictedProbability(), 1e-6);
        double logLoss = -(Math.log(0.8) + Math.log(0.3) + Math.log(0.8) + Math.log(0.7) + Math.log(0.8)
                + Math.log(0.4)) / 6;
        assertEquals(logLoss, r.logLoss(), 1e-6);
    }

    @Test
    void twoClassMacroF1IsTheMeanOfBothClasses() {
        // DL4J's own "macro" F1 for two classes is class 1's F1; Graft's is the mean of both
        float[][] probs = {{0.9f, 0.1f}, {0.9f, 0.1f}, {0.9f, 0.1f}, {0.1f, 0.9f}};
        float[][] truth = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
        EvaluationReport r = Evaluator.evaluate(List.of("x", "y"),
                List.of(new DataSet(Nd4j.createFromArray(probs), Nd4j.createFromArray(truth))).iterator(), x -> x);
        double f1x = 2 * (2 / 3.0) * 1.0 / (2 / 3.0 + 1.0);
        double f1y = 2 * 1.0 * 0.5 / 1.5;
        assertEquals((f1x + f1y) / 2, r.macroF1(), 1e-9);
        String table = r.toTable();
        assertEquals(true, table.contains("Macro F1") && table.contains("Confusion matrix"), table);
    }
}
