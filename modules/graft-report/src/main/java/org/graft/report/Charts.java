package org.graft.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The report's charts, drawn with XChart and embedded as PNG data URIs (the report works offline). */
final class Charts {
    private Charts() {
    }

    /** Per-epoch curves; series whose values are all NaN (not measured) are left out. */
    static String curves(String title, String yLabel, List<Integer> epochs, String[] names, List<double[]> series) {
        XYChart chart = new XYChartBuilder().width(560).height(340).title(title).xAxisTitle("epoch")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(6);
        List<Double> x = epochs.stream().map(Integer::doubleValue).toList();
        for (int s = 0; s < names.length; s++) {
            List<Double> y = new ArrayList<>();
            boolean any = false;
            for (double v : series.get(s)) {
                y.add(v);
                any |= !Double.isNaN(v);
            }
            if (any) {
                chart.addSeries(names[s], x, y);
            }
        }
        return png(chart);
    }

    /** The confusion matrix as a heat map: rows true class, columns predicted class. */
    static String confusion(List<String> labels, long[][] matrix) {
        HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(360, 80 * labels.size() + 200))
                .height(Math.max(300, 60 * labels.size() + 160)).title("Confusion matrix (rows: true class)")
                .build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setRangeColors(new Color[]{new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        List<Number[]> cells = new ArrayList<>();
        int n = labels.size();
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                // x = predicted, y = true; the y axis runs upwards, so the first class goes on top
                cells.add(new Number[]{p, n - 1 - t, matrix[t][p]});
            }
        }
        List<String> yLabels = new ArrayList<>(labels);
        java.util.Collections.reverse(yLabels);
        chart.addSeries("count", labels, yLabels, cells);
        return png(chart);
    }

    private static String png(Chart<?, ?> chart) {
        try {
            byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
