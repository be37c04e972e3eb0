package org.graft.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.DamagedFileException;
import org.graft.common.Json;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * What a model file must satisfy before Graft uses it: a description with everything prediction needs (labels,
 * unique and at least two; a sane preprocessing), a network whose configuration parses and whose weights are as
 * many as it needs and all finite, and the two in agreement (one output per label).
 */
final class BundleChecks {
    /** ND4J's binary header is a few hundred bytes; anything beyond this is not what the configuration asks for. */
    private static final long HEADER_SLACK = 4096;

    private BundleChecks() {
    }

    static ModelDescription description(BundleEntries entries) {
        Path zip = entries.file();
        ModelDescription d;
        try {
            d = Json.mapper().readValue(entries.require(ModelBundle.DESCRIPTION_ENTRY), ModelDescription.class);
        } catch (IOException e) {
            // Jackson also reports a value the records refuse (a preprocessing of size 0, say) this way
            throw ModelBundle.badDescription(zip, "cannot be read: " + firstLine(e.getMessage()));
        }
        if (d == null) {
            throw ModelBundle.badDescription(zip, "is empty");
        }
        if (d.formatVersion() > ModelDescription.FORMAT_VERSION) {
            throw ModelBundle.newerFormat(zip, d.formatVersion());
        }
        List<String> labels = d.labels();
        if (labels == null || labels.size() < 2) {
            throw ModelBundle.badDescription(zip, "has " + (labels == null ? "no" : labels.size()) + " labels (a "
                    + "classifier has at least two)");
        }
        if (labels.stream().anyMatch(l -> l == null || l.isBlank()) || new HashSet<>(labels).size() != labels.size()) {
            throw ModelBundle.badDescription(zip, "has blank or repeated labels " + labels);
        }
        if (d.preprocessing() == null) {
            throw ModelBundle.badDescription(zip, "does not say how to prepare images (no preprocessing)");
        }
        if (d.backbone() == null || d.training() == null || d.data() == null) {
            throw ModelBundle.badDescription(zip, "lacks its backbone, training or data section");
        }
        return d;
    }

    static ComputationGraph graph(BundleEntries entries, boolean withUpdater) {
        Path zip = entries.file();
        ComputationGraphConfiguration conf = configuration(entries);
        long expected = 0;
        for (GraphVertex v : conf.getVertices().values()) {
            expected += v.numParams(true);
        }
        INDArray params = array(entries.require(BundleEntries.COEFFICIENTS), expected, zip, "weights");
        if (params.length() != expected) {
            throw damaged(zip, "it holds " + params.length() + " weights where its network needs " + expected);
        }
        if (BooleanIndexing.or(params, Conditions.isNan()) || BooleanIndexing.or(params, Conditions.isInfinite())) {
            throw damaged(zip, "its weights hold NaN or infinite values (training may have diverged)");
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(params.reshape(1, expected), false);
        byte[] updater = entries.optional(BundleEntries.UPDATER);
        if (withUpdater && updater != null) {
            INDArray state = graph.getUpdater(true).getStateViewArray();
            INDArray saved = array(updater, state == null ? 0 : state.length(), zip, "optimiser state");
            if (state == null || saved.length() != state.length()) {
                throw damaged(zip, "its optimiser state does not fit its network");
            }
            state.assign(saved.reshape(state.shape()));
        }
        return graph;
    }

    private static ComputationGraphConfiguration configuration(BundleEntries entries) {
        String json = new String(entries.require(BundleEntries.CONFIGURATION), StandardCharsets.UTF_8);
        try {
            return ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            // DL4J wraps Jackson's parse errors (an IOException) in a RuntimeException; nothing else is relabelled
            if (e.getCause() instanceof IOException io) {
                throw damaged(entries.file(), "its network configuration cannot be read: "
                        + firstLine(io.getMessage()));
            }
            throw e;
        }
    }

    /** An ND4J array in its binary format, after checking that its size fits {@code values} floats (or doubles). */
    private static INDArray array(byte[] bytes, long values, Path zip, String what) {
        long floats = 4 * values;
        if (bytes.length < floats || bytes.length > 2 * floats + HEADER_SLACK) {
            throw damaged(zip, "its " + what + " take " + bytes.length + " bytes where " + values + " values are "
                    + "expected");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        } catch (IOException e) {
            throw damaged(zip, "its " + what + " cannot be read: " + e.getMessage());
        }
    }

    /** The description and the network must describe the same classifier. */
    static void agree(ModelDescription d, ComputationGraph graph, Path zip) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw damaged(zip, "its network has " + conf.getNetworkInputs().size() + " inputs and "
                    + conf.getNetworkOutputs().size() + " outputs (a Graft classifier has one of each)");
        }
        GraphVertex out = conf.getVertices().get(conf.getNetworkOutputs().get(0));
        if (out instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseOutputLayer o
                && o.getNOut() != d.labels().size()) {
            throw ModelBundle.badDescription(zip, "names " + d.labels().size() + " labels but the network has "
                    + o.getNOut() + " outputs");
        }
    }

    private static DamagedFileException damaged(Path zip, String what) {
        return new DamagedFileException(zip + " is damaged: " + what + ".",
                "Copy the model again from where it was trained, or train it again.");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
