package org.graft.engine;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a DL4J graph spends its time: the graph is run vertex by vertex, in DL4J's own topological order, forward
 * and (for a graph that learns) backward, and each vertex's time is added to its type (layer class, with its
 * activation when it has one; Graft's and DL4J's vertices by class). What {@code graft bench --profile} prints.
 * Running vertices one at a time without workspaces costs a little more than {@code graph.output}; the total is
 * printed beside the real pass so that the two can be compared.
 */
public final class LayerProfile {
    /** Time spent by every vertex of one type, in milliseconds per batch. */
    public record Row(String type, int vertices, double forwardMs, double backwardMs) {
    }

    private final Map<String, double[]> byType = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private int passes;

    private LayerProfile() {
    }

    /**
     * Profiles {@code repeats} passes (after one not counted) of {@code graph} on {@code input}; with {@code labels}
     * also the backward pass from its output layer's loss, in training mode; without them, inference only.
     */
    public static LayerProfile of(ComputationGraph graph, INDArray input, INDArray labels, int repeats) {
        LayerProfile profile = new LayerProfile();
        if (labels != null && graph.getFlattenedGradients() == null) {
            graph.initGradientsView();
        }
        for (int r = 0; r <= repeats; r++) {
            profile.pass(graph, input, labels, r > 0);
        }
        profile.passes = repeats;
        graph.clearLayersStates();
        return profile;
    }

    private void pass(ComputationGraph graph, INDArray input, INDArray labels, boolean count) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        GraphVertex[] vertices = graph.getVertices();
        int[] order = graph.topologicalSortOrder();
        boolean training = labels != null;
        INDArray[] outputs = new INDArray[vertices.length];
        for (int index : order) {
            GraphVertex v = vertices[index];
            if (v.isInputVertex()) {
                outputs[index] = input;
                continue;
            }
            VertexIndices[] in = v.getInputVertices();
            for (int j = 0; j < in.length; j++) {
                v.setInput(j, outputs[in[j].getVertexIndex()], mgr);
            }
            long t0 = System.nanoTime();
            outputs[index] = v.doForward(training, mgr);
            add(v, graph.getConfiguration(), count, 0, System.nanoTime() - t0);
        }
        if (!training) {
            return;
        }
        INDArray[] epsilons = new INDArray[vertices.length];
        for (int k = order.length - 1; k >= 0; k--) {
            GraphVertex v = vertices[order[k]];
            if (v.isInputVertex()) {
                continue;
            }
            if (v.isOutputVertex() && v.getLayer() instanceof IOutputLayer out) {
                out.setLabels(labels);
            } else if (epsilons[order[k]] == null) {
                continue; // nothing downstream learns through it
            } else {
                v.setEpsilon(epsilons[order[k]]);
            }
            long t0 = System.nanoTime();
            INDArray[] back = v.doBackward(false, mgr).getSecond();
            add(v, graph.getConfiguration(), count, 1, System.nanoTime() - t0);
            VertexIndices[] in = v.getInputVertices();
            for (int j = 0; back != null && j < in.length; j++) {
                int from = in[j].getVertexIndex();
                if (back[j] != null) {
                    epsilons[from] = epsilons[from] == null ? back[j] : epsilons[from].add(back[j]);
                }
            }
        }
    }

    private void add(GraphVertex v, ComputationGraphConfiguration configuration, boolean count, int direction,
                     long nanos) {
        if (!count) {
            return;
        }
        String type = typeOf(v, configuration);
        byType.computeIfAbsent(type, t -> new double[2])[direction] += nanos / 1e6;
        if (direction == 0) {
            counts.merge(type, 1, Integer::sum);
        }
    }

    /** A vertex's type: its layer's configuration class (and activation), or the vertex class. */
    static String typeOf(GraphVertex v, ComputationGraphConfiguration configuration) {
        if (!v.hasLayer()) {
            // a frozen vertex hides its class; the configuration names it
            var conf = configuration.getVertices().get(v.getVertexName());
            if (conf instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex f) {
                return f.getUnderlying().getClass().getSimpleName() + " (frozen)";
            }
            return conf == null ? v.getClass().getSimpleName() : conf.getClass().getSimpleName();
        }
        Layer layer = v.getLayer();
        var conf = layer.conf().getLayer();
        boolean frozen = conf instanceof FrozenLayer;
        if (conf instanceof FrozenLayer f) {
            conf = f.getLayer();
        }
        String type = conf.getClass().getSimpleName();
        // BatchNorm and Dropout ignore the activation their configuration inherits
        if (conf instanceof BaseLayer base && !(conf instanceof BatchNormalization) && !(conf instanceof DropoutLayer)
                && base.getActivationFn() != null
                && !(base.getActivationFn() instanceof ActivationIdentity)) {
            type += " + " + base.getActivationFn().getClass().getSimpleName().replace("Activation", "").toLowerCase(
                    Locale.ROOT);
        } else if (conf instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a) {
            type += " " + a.getActivationFn().getClass().getSimpleName().replace("Activation", "")
                    .toLowerCase(Locale.ROOT);
        }
        return frozen ? type + " (frozen)" : type;
    }

    /** Per type, slowest first, in milliseconds per batch. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        byType.forEach((type, ms) -> rows.add(new Row(type, counts.getOrDefault(type, 0) / Math.max(1, passes),
                ms[0] / Math.max(1, passes), ms[1] / Math.max(1, passes))));
        rows.sort(Comparator.comparingDouble((Row r) -> r.forwardMs() + r.backwardMs()).reversed());
        return rows;
    }

    /** The profile as a table: type, vertices, forward and backward ms per batch and their shares. */
    public String table() {
        List<Row> rows = rows();
        double forward = rows.stream().mapToDouble(Row::forwardMs).sum();
        double backward = rows.stream().mapToDouble(Row::backwardMs).sum();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %-52s %5s %11s %6s %11s %6s%n", "type",
                "count", "forward ms", "%", "backward ms", "%"));
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "  %-52s %5d %11.1f %5.1f%% %11.1f %5.1f%%%n", r.type(),
                    r.vertices(), r.forwardMs(), 100 * r.forwardMs() / Math.max(1e-9, forward), r.backwardMs(),
                    backward == 0 ? 0 : 100 * r.backwardMs() / backward));
        }
        s.append(String.format(Locale.ROOT, "  %-52s %5s %11.1f %6s %11.1f%n", "total (vertex by vertex)", "",
                forward, "", backward));
        return s.toString();
    }
}
