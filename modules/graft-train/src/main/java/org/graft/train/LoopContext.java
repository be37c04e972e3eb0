package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.data.ImageBatchIterator;
import org.graft.data.ImageEntry;
import org.graft.data.ImageLoader;
import org.graft.data.SkipLog;
import org.graft.data.SkippedImage;
import org.graft.data.Split;
import org.graft.engine.Featurizer;
import org.graft.evaluate.Evaluator;
import org.graft.model.EvaluationReport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
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

    /**
     * {@code entries} through {@code featurizer} as a pass the listeners see: one vector per entry, null where the
     * image could not be read (its reason goes to the skip log).
     */
    float[][] featurize(Featurizer featurizer, List<ImageEntry> entries, String task) {
        TrainingListener.Pass pass = new TrainingListener.Pass(task, entries.size(), "img");
        listeners.tell(l -> l.onPassStart(pass));
        Featurizer.Features f = featurizer.featurize(entries.stream().map(ImageEntry::path).toList(),
                n -> listeners.tell(l -> l.onPassProgress(pass, n, null)));
        listeners.tell(l -> l.onPassEnd(pass));
        f.failures().forEach(e -> skipped().add(new SkippedImage(e.path(), e.getMessage())));
        return f.vectors();
    }

    /**
     * A batch of precomputed vectors: {@code rows} (indices into {@code vectors} and {@code entries}, all readable)
     * shaped {@code perImage} each, with one-hot labels and the images' paths as metadata.
     */
    DataSet batchOf(List<Integer> rows, float[][] vectors, List<ImageEntry> entries, long[] perImage) {
        long[] shape = new long[perImage.length + 1];
        shape[0] = rows.size();
        System.arraycopy(perImage, 0, shape, 1, perImage.length);
        float[] x = new float[rows.size() * vectors[rows.get(0)].length];
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows.size(), labels().size());
        List<String> paths = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            float[] row = vectors[rows.get(r)];
            System.arraycopy(row, 0, x, r * row.length, row.length);
            ImageEntry e = entries.get(rows.get(r));
            y.putScalar(r, labels().indexOf(e.label()), 1f);
            paths.add(e.path().toString());
        }
        DataSet ds = new DataSet(Nd4j.create(x, shape, 'c'), y);
        ds.setExampleMetaData(paths);
        return ds;
    }

    /** A validation pass of {@code classifier} (the best weights, for a run resumed after its last epoch). */
    EvaluationReport validate(ComputationGraph classifier) {
        ImageBatchIterator val = ImageBatchIterator.builder().setImages(split().validation().images())
                .setLabels(labels()).setLoader(new ImageLoader(loader.preprocessing()))
                .optBatchSize(config.inferenceBatch()).optSkipLog(skipped()).build();
        return Evaluator.evaluate(labels(), val, x -> classifier.outputSingle(false, x));
    }
}
