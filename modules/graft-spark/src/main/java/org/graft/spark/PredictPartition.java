package org.graft.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.graft.engine.Engine;
import org.graft.model.ModelBundle;
import org.graft.predict.Prediction;
import org.graft.predict.Predictor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Predicts one partition on an executor: loads the model once, then runs Graft's own {@link Predictor} (the same
 * decoding, batching and ranking as {@code graft predict}) over the partition's images a chunk at a time. An image
 * that cannot be read becomes a row with the reason in {@code error}, never a failed task.
 */
final class PredictPartition implements FlatMapFunction<Iterator<String>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> model;
    private final Broadcast<SerializableWritable<Configuration>> hadoopConf;
    private final ImageSource source;
    private final int batch;
    private final int topK;
    private final double reviewBelow;
    private final LongAccumulator images;
    private final LongAccumulator errors;

    PredictPartition(Broadcast<byte[]> model, Broadcast<SerializableWritable<Configuration>> hadoopConf,
                     ImageSource source, int batch, int topK, double reviewBelow,
                     LongAccumulator images, LongAccumulator errors) {
        this.model = model;
        this.hadoopConf = hadoopConf;
        this.source = source;
        this.batch = batch;
        this.topK = topK;
        this.reviewBelow = reviewBelow;
        this.images = images;
        this.errors = errors;
    }

    @Override
    public Iterator<Row> call(Iterator<String> partition) {
        if (!partition.hasNext()) {
            return Collections.emptyIterator();
        }
        ModelBundle bundle = ModelFiles.load(model.value());
        // DL4J: an engine per chunk would export the model again for each, and Spark's tasks share the cores
        Predictor predictor = new Predictor(bundle, batch, Engine.DL4J);
        StagedImages staged = new StagedImages(partition, hadoopConf.value().value(), 4 * batch);
        return staged.rows(chunk -> predict(predictor, chunk));
    }

    private List<Row> predict(Predictor predictor, List<StagedImages.Staged> chunk) {
        List<Path> readable = chunk.stream().filter(s -> s.local() != null).map(StagedImages.Staged::local).toList();
        List<Prediction> predictions = readable.isEmpty() ? List.of()
                : predictor.predict(readable, topK, n -> { });
        List<Row> rows = new ArrayList<>(chunk.size());
        int next = 0;
        for (StagedImages.Staged s : chunk) {
            String path = source.relative(s.path());
            Prediction p = s.local() == null ? new Prediction(null, List.of(), s.error()) : predictions.get(next++);
            rows.add(row(path, p, StagedImages.withOriginalName(p.error(), s)));
            images.add(1);
            if (p.error() != null) {
                errors.add(1);
            }
        }
        return rows;
    }

    /** One row in {@link PredictionSchema}'s columns. */
    private Row row(String path, Prediction p, String error) {
        List<Object> values = new ArrayList<>();
        values.add(path);
        values.add(p.error() == null ? p.label() : null);
        values.add(p.error() == null ? p.probability() : null);
        values.add(p.error() == null ? p.margin() : null);
        values.add(p.needsReview(reviewBelow));
        for (int i = 1; i < topK; i++) {
            boolean has = i < p.ranked().size();
            values.add(has ? p.ranked().get(i).label() : null);
            values.add(has ? p.ranked().get(i).probability() : null);
        }
        values.add(error);
        return RowFactory.create(values.toArray());
    }
}
