package org.graft.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.graft.data.ImageLoader;
import org.graft.data.UnreadableImageException;
import org.graft.engine.Engine;
import org.graft.engine.Featurizer;
import org.graft.model.ModelBundle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Feature vectors of one partition's images on an executor: the model's graph cut at its head's input (what
 * {@code graft train} trains the head on), images decoded with Graft's {@link ImageLoader} as for prediction.
 * Rows: {@code path, features (array<float>, null if unreadable), error}.
 */
final class FeaturesPartition implements FlatMapFunction<Iterator<String>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> model;
    private final Broadcast<SerializableWritable<Configuration>> hadoopConf;
    private final ImageSource source;
    private final int batch;
    private final LongAccumulator images;
    private final LongAccumulator errors;

    FeaturesPartition(Broadcast<byte[]> model, Broadcast<SerializableWritable<Configuration>> hadoopConf,
                     ImageSource source, int batch, LongAccumulator images,
                      LongAccumulator errors) {
        this.model = model;
        this.hadoopConf = hadoopConf;
        this.source = source;
        this.batch = Math.max(1, batch);
        this.images = images;
        this.errors = errors;
    }

    public static StructType schema() {
        return DataTypes.createStructType(List.of(
                DataTypes.createStructField("path", DataTypes.StringType, false),
                DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), true),
                DataTypes.createStructField("error", DataTypes.StringType, true)));
    }

    @Override
    public Iterator<Row> call(Iterator<String> partition) {
        if (!partition.hasNext()) {
            return Collections.emptyIterator();
        }
        ModelBundle bundle = ModelFiles.load(model.value());
        ImageLoader loader = new ImageLoader(bundle.description().preprocessing());
        // the same featurizer as graft train's transfer mode; on DL4J it holds no native session to close
        Featurizer featurizer = new Featurizer(Engine.DL4J, FeatureGraphs.extractor(bundle.graph()), loader, batch,
                null);
        StagedImages staged = new StagedImages(partition, hadoopConf.value().value(), batch);
        return staged.rows(chunk -> featurize(featurizer, chunk));
    }

    private List<Row> featurize(Featurizer featurizer, List<StagedImages.Staged> chunk) {
        List<StagedImages.Staged> readable = chunk.stream().filter(s -> s.local() != null).toList();
        Map<Path, float[]> features = new HashMap<>();
        Map<Path, String> failures = new HashMap<>();
        if (!readable.isEmpty()) {
            List<Path> files = readable.stream().map(StagedImages.Staged::local).toList();
            Featurizer.Features f = featurizer.featurize(files, n -> { });
            for (UnreadableImageException e : f.failures()) {
                failures.put(e.path(), e.getMessage());
            }
            for (int i = 0; i < files.size(); i++) {
                if (f.vectors()[i] != null) {
                    features.put(files.get(i), f.vectors()[i]);
                }
            }
        }
        List<Row> rows = new ArrayList<>(chunk.size());
        for (StagedImages.Staged s : chunk) {
            String path = source.relative(s.path());
            float[] f = s.local() == null ? null : features.get(s.local());
            String error = s.local() == null ? s.error()
                    : StagedImages.withOriginalName(failures.getOrDefault(s.local(), f == null ? "no features" : null), s);
            rows.add(RowFactory.create(path, f, error)); // a float[] is what Spark's row encoder takes for array<float>
            images.add(1);
            if (error != null) {
                errors.add(1);
            }
        }
        return rows;
    }
}
