package org.graft.evaluate;

import org.graft.common.BadDataException;
import org.graft.data.ImageBatchIterator;
import org.graft.data.ImageFolder;
import org.graft.data.ImageLoader;
import org.graft.data.SkipLog;
import org.graft.engine.Engine;
import org.graft.engine.InferenceEngine;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelBundle;
import org.graft.model.ModelDescription;
import org.graft.model.run.RunFolder;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;

/** Evaluates a saved model on a folder of labelled images, or on the validation part of its own run. */
public final class BundleEvaluator {
    private BundleEvaluator() {
    }

    public static EvaluationReport evaluate(ModelBundle bundle, ImageFolder folder, int batchSize, SkipLog skipLog) {
        try (InferenceEngine model = InferenceEngine.create(Engine.AUTO, bundle.graph(),
                bundle.description().preprocessing())) {
            return evaluate(bundle, folder, batchSize, skipLog, it -> it, model);
        }
    }

    /**
     * As above, the model run by {@code model} (whose {@link InferenceEngine#choice()} then says what ran it);
     * {@code watch} may wrap the batches (e.g. to count them for a progress bar).
     */
    public static EvaluationReport evaluate(ModelBundle bundle, ImageFolder folder, int batchSize, SkipLog skipLog,
                                            UnaryOperator<Iterator<DataSet>> watch, InferenceEngine model) {
        List<String> labels = bundle.description().labels();
        List<String> unknown = folder.labels().stream().filter(l -> !labels.contains(l)).toList();
        if (!unknown.isEmpty()) {
            throw new BadDataException("The folder " + folder.root() + " has classes " + unknown
                    + " that the model does not know (it knows " + labels + ").",
                    "Evaluate on folders named after the model's classes.");
        }
        skipLog.addAll(folder.skipped());
        ImageBatchIterator it = ImageBatchIterator.builder().setImages(folder.images()).setLabels(labels)
                .setLoader(new ImageLoader(bundle.description().preprocessing())).optBatchSize(batchSize)
                .optSkipLog(skipLog).build();
        return Evaluator.evaluate(labels, watch.apply(it), model::output);
    }

    /** The validation images of the run that made the model, read back from its split.csv. */
    public static ImageFolder validationOfRun(RunFolder run, ModelDescription d) {
        return run.readSplit(d).validation();
    }
}
