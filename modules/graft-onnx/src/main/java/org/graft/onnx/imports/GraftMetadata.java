package org.graft.onnx.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import onnx.Onnx;
import org.graft.common.DamagedFileException;
import org.graft.common.Json;
import org.graft.data.Preprocessing;
import org.graft.onnx.imports.Value.Act;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Graft's own export writes into a model's metadata: the class labels ({@value OnnxModel#LABELS}, a JSON array
 * of strings) and how the model wants its images ({@value OnnxModel#PREPROCESSING}, a {@link Preprocessing} as
 * JSON). Either may be absent (other exporters write neither); where present it must parse and agree with the
 * graph (one label per output, the input's size and layout), or the file contradicts itself.
 */
record GraftMetadata(List<String> labels, Optional<Preprocessing> preprocessing) {
    private static final String HINT = "The file's Graft metadata is damaged; export the model again (graft export).";

    static GraftMetadata read(Onnx.ModelProto model, String file) {
        Map<String, String> props = new HashMap<>();
        for (Onnx.StringStringEntryProto p : model.getMetadataPropsList()) {
            if ((p.getKey().equals(OnnxModel.LABELS) || p.getKey().equals(OnnxModel.PREPROCESSING))
                    && props.put(p.getKey(), p.getValue()) != null) {
                throw new DamagedFileException(file + ": the metadata holds '" + p.getKey() + "' twice.", HINT);
            }
        }
        String labels = props.get(OnnxModel.LABELS);
        String pre = props.get(OnnxModel.PREPROCESSING);
        return new GraftMetadata(labels == null ? List.of() : labels(labels, file),
                pre == null ? Optional.empty() : Optional.of(preprocessing(pre, file)));
    }

    private static List<String> labels(String json, String file) {
        JsonNode array;
        try {
            array = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw damaged(file, OnnxModel.LABELS + " is not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (array == null || !array.isArray()) {
            throw damaged(file, OnnxModel.LABELS + " is not a JSON array", null);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode label : array) {
            if (!label.isTextual()) {
                throw damaged(file, OnnxModel.LABELS + " holds " + label.getNodeType() + " where labels are strings",
                        null);
            }
            out.add(label.textValue());
        }
        return List.copyOf(out);
    }

    private static Preprocessing preprocessing(String json, String file) {
        Preprocessing p;
        try {
            // Preprocessing's constructor checks every value; Jackson reports its refusal as a mapping error
            p = Json.mapper().readValue(json, Preprocessing.class);
        } catch (JsonProcessingException e) {
            throw damaged(file, OnnxModel.PREPROCESSING + " is not a valid preprocessing (" + e.getOriginalMessage()
                    + ")", e);
        }
        if (p == null) {
            throw damaged(file, OnnxModel.PREPROCESSING + " is null", null);
        }
        return p;
    }

    /**
     * Refuses metadata the graph contradicts: labels not one per value of the first output, a preprocessing for
     * another input than the graph's ({@code input} [C, H, W] or [F], in {@code layout}).
     */
    void check(long[] input, Preprocessing.Layout layout, Value output, String file) {
        if (!labels.isEmpty()) {
            long classes = output instanceof Act a && !a.spatial() ? a.shape()[0] : -1;
            if (classes != labels.size()) {
                throw damaged(file, OnnxModel.LABELS + " names " + labels.size() + (labels.size() == 1 ? " class"
                        : " classes") + ", but the model's output is "
                        + (classes < 0 ? "not a vector of class scores" : "a vector of " + classes), null);
            }
        }
        if (preprocessing.isPresent()) {
            Preprocessing p = preprocessing.get();
            long[] expected = {p.channels(), p.cropHeight(), p.cropWidth()};
            if (!Arrays.equals(expected, input) || p.layout() != layout) {
                throw damaged(file, OnnxModel.PREPROCESSING + " describes " + p.layout() + " images "
                        + Arrays.toString(expected) + " (C, H, W), but the graph takes " + (input.length == 3
                        ? layout + " images " + Arrays.toString(input) : "vectors of " + input[0]), null);
            }
        }
    }

    private static DamagedFileException damaged(String file, String what, Exception cause) {
        return new DamagedFileException(file + ": " + what + ".", HINT, cause);
    }
}
