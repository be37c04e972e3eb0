package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.ImageBatchIterator;
import org.graft.data.ImageLoader;
import org.graft.data.SkipLog;
import org.graft.data.Split;
import org.graft.evaluate.Evaluator;
import org.graft.model.EvaluationReport;

import java.util.List;

/** What every epoch loop of a run shares: the recipe, the data, how images are loaded, and whom to tell. */
record LoopContext(TrainingConfig config, PreparedData data, ImageLoader loader, Listeners listeners) {
    Split split() {
        return data.split();
    }

    List<String> labels() {
        return data.labels();
    }

    SkipLog skipped() {
        return data.skipped();
    }

    /** A validation pass of {@code classifier} (the best weights, for a run resumed after its last epoch). */
    EvaluationReport validate(ComputationGraph classifier) {
        ImageBatchIterator val = ImageBatchIterator.builder().setImages(split().validation().images())
                .setLabels(labels()).setLoader(new ImageLoader(loader.preprocessing()))
                .optBatchSize(config.inferenceBatch()).optSkipLog(skipped()).build();
        return Evaluator.evaluate(labels(), val, x -> classifier.outputSingle(false, x));
    }
}
