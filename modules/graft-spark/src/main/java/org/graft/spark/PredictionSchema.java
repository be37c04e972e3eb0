package org.graft.spark;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * The columns of {@code graft predict}'s CSV ({@code PredictionWriter}): {@code path,label,probability,margin,
 * needs_review,label_2,probability_2,...,error}. Parquet keeps them typed (doubles, a boolean); CSV writes the
 * numbers as PredictionWriter does ({@code %.6f}, empty when there is none).
 */
public final class PredictionSchema {
    private PredictionSchema() {
    }

    public static List<String> columns(int topK) {
        List<String> names = new ArrayList<>(List.of("path", "label", "probability", "margin", "needs_review"));
        for (int i = 2; i <= topK; i++) {
            names.add("label_" + i);
            names.add("probability_" + i);
        }
        names.add("error");
        return names;
    }

    public static StructType schema(int topK) {
        List<StructField> fields = new ArrayList<>();
        for (String name : columns(topK)) {
            fields.add(DataTypes.createStructField(name, isNumber(name) ? DataTypes.DoubleType
                    : name.equals("needs_review") ? DataTypes.BooleanType : DataTypes.StringType,
                    !name.equals("path") && !name.equals("needs_review")));
        }
        return DataTypes.createStructType(fields);
    }

    /** The same rows with numbers as PredictionWriter formats them, for CSV. */
    public static Dataset<Row> forCsv(Dataset<Row> predictions) {
        List<Column> columns = new ArrayList<>();
        for (String name : predictions.columns()) {
            if (isNumber(name)) {
                columns.add(when(col(name).isNull(), lit(null).cast("string"))
                        .otherwise(format_string("%.6f", col(name))).as(name));
            } else {
                columns.add(col(name));
            }
        }
        return predictions.select(columns.toArray(Column[]::new));
    }

    static boolean isNumber(String name) {
        return name.equals("probability") || name.equals("margin") || name.startsWith("probability_");
    }
}
