package org.graft.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.graft.common.GraftException;
import org.graft.common.UnsupportedModelException;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a Keras model's JSON config so that DL4J 1.0.0-M2.1 imports it faithfully.
 *
 * <ul>
 *   <li>DL4J picks its Keras 1 or 2 mapping from {@code keras_version}/{@code backend} inside the JSON, but Keras
 *       stores them as separate HDF5 attributes: they are copied in.</li>
 *   <li>DL4J ignores {@code keepdims=True} on global pooling (MobileNet v1/v2 heads), so the following 1x1
 *       convolution gets a flat vector. The pooling keeps {@code keepdims=False} and an explicit
 *       {@code Reshape(1, 1, C)} is inserted after it, which DL4J does honour.</li>
 * </ul>
 */
final class KerasJsonPatcher {
    /** Layers that keep the channel count of their (first) input. */
    private static final Set<String> CHANNEL_PRESERVING = Set.of("BatchNormalization", "Activation", "ReLU",
            "LeakyReLU", "DepthwiseConv2D", "Dropout", "ZeroPadding2D", "MaxPooling2D", "AveragePooling2D", "Add",
            "Multiply", "Cropping2D", "SpatialDropout2D");

    private KerasJsonPatcher() {
    }

    /** Keras layers DL4J M2.1 lacks, mapped to Graft's own implementations (registered by KerasImporter). */
    static final java.util.Map<String, String> REPLACED_LAYERS = java.util.Map.of(
            "Rescaling", org.graft.backbone.keras.KerasRescaling.CLASS_NAME,
            "Normalization", org.graft.backbone.keras.KerasNormalization.CLASS_NAME,
            "Multiply", org.graft.backbone.keras.KerasBroadcastMultiply.CLASS_NAME);

    static ObjectNode patch(ObjectNode model, String kerasVersion, String backend) {
        if (!model.hasNonNull("keras_version")) {
            model.put("keras_version", kerasVersion);
        }
        if (!model.hasNonNull("backend")) {
            model.put("backend", backend);
        }
        JsonNode layersNode = model.path("config").path("layers");
        if (layersNode instanceof ArrayNode layers) {
            refuseNestedModels(layers);
            expandKeepDims(layers);
            for (JsonNode layer : layers) {
                String replacement = REPLACED_LAYERS.get(layer.path("class_name").asText());
                if (replacement != null) {
                    ((ObjectNode) layer).put("class_name", replacement);
                }
            }
        }
        return model;
    }

    /**
     * A whole model used as one layer (the usual Keras transfer-learning save: base model inside an outer model).
     * DL4J cannot import that; say how to save the inner model on its own.
     */
    private static void refuseNestedModels(ArrayNode layers) {
        for (JsonNode layer : layers) {
            String cls = layer.path("class_name").asText();
            if (cls.equals("Functional") || cls.equals("Model") || cls.equals("Sequential")) {
                String inner = layer.path("config").path("name").asText(layer.path("name").asText());
                throw new UnsupportedModelException("The model nests a whole model ('" + inner + "', " + cls
                        + ") inside it as one layer; Graft imports flat models only.",
                        "In Keras, save the inner model by itself: model.get_layer('" + inner + "').save('"
                                + inner + ".h5'), and pass that file as --backbone; Graft adds the new head itself.");
            }
        }
    }

    private static void expandKeepDims(ArrayNode layers) {
        Map<String, ObjectNode> byName = new HashMap<>();
        layers.forEach(l -> byName.put(l.path("name").asText(l.path("config").path("name").asText()), (ObjectNode) l));
        for (int i = 0; i < layers.size(); i++) {
            ObjectNode layer = (ObjectNode) layers.get(i);
            String cls = layer.path("class_name").asText();
            boolean globalPool = cls.equals("GlobalAveragePooling2D") || cls.equals("GlobalMaxPooling2D");
            if (!globalPool || !layer.path("config").path("keepdims").asBoolean(false)) {
                continue;
            }
            String name = layer.path("name").asText();
            int channels = channelsOf(firstInbound(layer), byName, 0);
            ((ObjectNode) layer.get("config")).put("keepdims", false);
            String reshapeName = name + "_keepdims";
            boolean consumed = false;
            for (JsonNode other : layers) {
                consumed |= renameInbound(other.path("inbound_nodes"), name, reshapeName);
            }
            if (!consumed) {
                continue; // the pooled vector is the model's output: flat is what a feature extractor wants
            }
            layers.insert(i + 1, reshapeLayer(reshapeName, name, channels));
            i++;
        }
    }

    private static ObjectNode reshapeLayer(String name, String input, int channels) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode r = f.objectNode();
        r.put("class_name", "Reshape");
        r.put("name", name);
        ObjectNode c = r.putObject("config");
        c.put("name", name);
        c.put("trainable", true);
        c.put("dtype", "float32");
        c.putArray("target_shape").add(1).add(1).add(channels);
        ArrayNode node = f.arrayNode();
        node.addArray().add(input).add(0).add(0).addObject();
        r.putArray("inbound_nodes").add(node);
        return r;
    }

    /** Walks back through channel-preserving layers to the one that sets the channel count. */
    private static int channelsOf(String layerName, Map<String, ObjectNode> byName, int depth) {
        ObjectNode layer = byName.get(layerName);
        if (layer == null || depth > 1000) {
            throw unsupported(layerName);
        }
        JsonNode config = layer.path("config");
        String cls = layer.path("class_name").asText();
        if (config.has("filters")) {
            return config.get("filters").asInt();
        }
        if (config.has("units")) {
            return config.get("units").asInt();
        }
        if (cls.equals("InputLayer")) {
            JsonNode shape = config.path("batch_input_shape");
            return shape.get(shape.size() - 1).asInt();
        }
        if (CHANNEL_PRESERVING.contains(cls)) {
            return channelsOf(firstInbound(layer), byName, depth + 1);
        }
        throw unsupported(layerName);
    }

    private static GraftException unsupported(String layerName) {
        return new UnsupportedModelException("Cannot work out the channel count before global pooling layer input '"
                + layerName + "' (needed because DL4J ignores keepdims=True).",
                "Save the Keras model with keepdims=False on its global pooling layer.");
    }

    private static String firstInbound(JsonNode layer) {
        JsonNode first = layer.path("inbound_nodes").path(0).path(0);
        return first.isArray() ? first.path(0).asText() : first.path("args").path(0).asText();
    }

    /** Points inbound references to {@code from} at {@code to}; true if there was one. */
    private static boolean renameInbound(JsonNode node, String from, String to) {
        boolean renamed = false;
        if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                JsonNode child = arr.get(i);
                if (i == 0 && child.isTextual() && child.asText().equals(from)) {
                    arr.set(0, JsonNodeFactory.instance.textNode(to));
                    renamed = true;
                } else {
                    renamed |= renameInbound(child, from, to);
                }
            }
        }
        return renamed;
    }
}
