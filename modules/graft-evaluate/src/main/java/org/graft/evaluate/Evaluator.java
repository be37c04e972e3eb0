package org.graft.evaluate;

import org.graft.model.EvaluationReport;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs a classifier over labelled batches and computes the {@link EvaluationReport}, using DL4J's
 * {@link Evaluation} for the counts and metrics.
 */
public final class Evaluator {
    /** How many of the least confident predictions a report lists. */
    public static final int LEAST_CONFIDENT = 12;

    private Evaluator() {
    }

    /**
     * The mean of the per-class F1 over the classes that occur in the truth or the predictions (as scikit-learn
     * does). DL4J's own "macro" F1 of a two-class problem is the F1 of class 1 alone, which is not this.
     */
    static double macroF1(List<EvaluationReport.ClassMetrics> perClass, long[][] cm) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < perClass.size(); i++) {
            long predicted = 0;
            for (long[] row : cm) {
                predicted += row[i];
            }
            if (perClass.get(i).support() > 0 || predicted > 0) {
                sum += perClass.get(i).f1();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * @param labels  the model's class names, in output order
     * @param batches labelled batches; example metadata, if present, is the image path
     * @param predict features to class probabilities (e.g. {@code x -> graph.outputSingle(x)})
     */
    public static EvaluationReport evaluate(List<String> labels, Iterator<DataSet> batches,
                                            UnaryOperator<INDArray> predict) {
        Evaluation eval = new Evaluation(labels);
        List<EvaluationReport.Misclassified> wrong = new ArrayList<>();
        List<EvaluationReport.Misclassified> all = new ArrayList<>();
        double logLossSum = 0;
        while (batches.hasNext()) {
            DataSet ds = batches.next();
            INDArray probs = predict.apply(ds.getFeatures());
            eval.eval(ds.getLabels(), probs);
            List<Serializable> meta = ds.getExampleMetaData();
            INDArray predicted = probs.argMax(1);
            INDArray actual = ds.getLabels().argMax(1);
            for (int i = 0; i < probs.rows(); i++) {
                int p = predicted.getInt(i);
                int t = actual.getInt(i);
                logLossSum -= Math.log(Math.max(probs.getDouble(i, t), 1e-12));
                String path = meta != null && i < meta.size() ? String.valueOf(meta.get(i)) : "#" + i;
                var prediction = new EvaluationReport.Misclassified(path, labels.get(t), labels.get(p),
                        probs.getDouble(i, p), probs.getDouble(i, t));
                all.add(prediction);
                if (p != t) {
                    wrong.add(prediction);
                }
            }
        }
        int n = labels.size();
        List<EvaluationReport.ClassMetrics> perClass = new ArrayList<>();
        long[][] cm = new long[n][n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            long support = 0;
            for (int j = 0; j < n; j++) {
                cm[i][j] = eval.getConfusionMatrix().getCount(i, j);
                support += cm[i][j];
            }
            total += support;
            perClass.add(new EvaluationReport.ClassMetrics(labels.get(i), eval.precision(i), eval.recall(i),
                    eval.f1(i), support));
        }
        double accuracy = total == 0 ? Double.NaN : eval.accuracy();
        double macroF1 = total == 0 ? Double.NaN : macroF1(perClass, cm);
        double logLoss = total == 0 ? Double.NaN : logLossSum / total;
        List<EvaluationReport.Misclassified> leastConfident = all.stream()
                .sorted(java.util.Comparator.comparingDouble(EvaluationReport.Misclassified::predictedProbability))
                .limit(LEAST_CONFIDENT).toList();
        return new EvaluationReport(labels, total, accuracy, macroF1, logLoss, perClass, cm, wrong, leastConfident);
    }
}
