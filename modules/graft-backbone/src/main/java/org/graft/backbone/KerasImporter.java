package org.graft.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.graft.backbone.keras.Hdf5Inventory;
import org.graft.backbone.keras.Hdf5ScalarStripper;
import org.graft.backbone.keras.KerasBroadcastMultiply;
import org.graft.backbone.keras.KerasNormalization;
import org.graft.backbone.keras.KerasRescaling;
import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.EnvironmentException;
import org.graft.common.GraftException;
import org.graft.common.Json;
import org.graft.common.UnsupportedModelException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Imports a full Keras model file (HDF5 with config and weights, Keras 2) into a DL4J {@link ComputationGraph}.
 *
 * <p>The config is read from the file, patched for DL4J's known gaps ({@link KerasJsonPatcher}) and imported
 * together with the file's weights; the file itself is never modified.
 */
public final class KerasImporter {
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    static {
        // DL4J's registry of custom Keras layers is process-wide; registering the same classes again is harmless.
        KerasLayer.registerCustomLayer(KerasRescaling.CLASS_NAME, KerasRescaling.class);
        KerasLayer.registerCustomLayer(KerasNormalization.CLASS_NAME, KerasNormalization.class);
        KerasLayer.registerCustomLayer(KerasBroadcastMultiply.CLASS_NAME, KerasBroadcastMultiply.class);
    }

    private KerasImporter() {
    }

    /** The model's JSON config, patched for DL4J. */
    public static ObjectNode readPatchedConfig(Path h5) {
        checkFileType(h5);
        Hdf5Archive archive = openArchive(h5);
        try {
            if (!archive.hasAttribute("model_config")) {
                throw new UnsupportedModelException(h5 + " holds weights only, without the model's architecture.",
                        "Save the whole model from Keras (model.save('model.h5')), or use a backbone that Graft "
                                + "builds itself (see 'graft inspect --list').");
            }
            String json = archive.readAttributeAsJson("model_config");
            String version = readAttribute(archive, "keras_version", "2.8.0");
            String backend = readAttribute(archive, "backend", "tensorflow");
            if (version.startsWith("1.")) {
                throw new UnsupportedModelException(h5 + " was saved by Keras " + version
                        + ", which Graft does not import.",
                        "Load and re-save it with Keras 2 (model.save('model.h5')).");
            }
            JsonNode config = Json.mapper().readTree(json);
            if (!(config instanceof ObjectNode model)) {
                throw new DamagedFileException(h5 + " has an unreadable model_config.",
                        "Re-save the model from Keras.");
            }
            return KerasJsonPatcher.patch(model, version, backend);
        } catch (IOException | UnsupportedKerasConfigurationException e) {
            throw new DamagedFileException("Could not parse the Keras config in " + h5 + ": " + e.getMessage(),
                    "Re-save the model from Keras 2 as .h5.", e);
        } finally {
            archive.close();
        }
    }

    /** Imports the model with its weights. */
    public static ComputationGraph importGraph(Path h5) {
        return importGraph(h5, readPatchedConfig(h5));
    }

    /** Imports the model with its weights, given its config from {@link #readPatchedConfig}. */
    public static ComputationGraph importGraph(Path h5, ObjectNode config) {
        return build(h5, config, true);
    }

    /**
     * Imports an architecture Graft builds itself (e.g. {@link EfficientNetB0}) with the weights of a weights-only
     * file, matched by layer name.
     */
    public static ComputationGraph importWithWeightsFile(ObjectNode architecture, Path weightsH5) {
        checkFileType(weightsH5);
        ObjectNode config = architecture.deepCopy();
        matchAutoNamedLayers(config, weightsH5);
        config = KerasJsonPatcher.patch(config, "2.15.0", "tensorflow");
        return build(weightsH5, config, false);
    }

    /**
     * Keras names layers created without a name by counting per session ("normalization", "normalization_1", ...),
     * so a weights file may call Graft's "normalization" differently. Weights are matched by name, so the config
     * takes the file's name for such a layer when the file has exactly one candidate.
     */
    static void matchAutoNamedLayers(ObjectNode config, Path weightsH5) {
        List<String> groups;
        Hdf5Archive archive = openArchive(weightsH5);
        try {
            groups = archive.getGroups();
        } finally {
            archive.close();
        }
        for (String base : List.of("normalization")) {
            java.util.regex.Pattern auto = java.util.regex.Pattern.compile(base + "(_\\d+)?");
            List<String> inFile = groups.stream().filter(g -> auto.matcher(g).matches()).toList();
            if (inFile.size() != 1 || inFile.get(0).equals(base)) {
                continue;
            }
            String fileName = inFile.get(0);
            for (JsonNode layer : config.path("config").path("layers")) {
                if (layer.path("name").asText().equals(base)) {
                    ((ObjectNode) layer).put("name", fileName);
                    ((ObjectNode) layer.get("config")).put("name", fileName);
                }
                renameInbound(layer.path("inbound_nodes"), base, fileName);
            }
        }
    }

    private static void renameInbound(JsonNode node, String from, String to) {
        if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                if (i == 0 && arr.get(i).isTextual() && arr.get(i).asText().equals(from)) {
                    arr.set(0, com.fasterxml.jackson.databind.node.TextNode.valueOf(to));
                } else {
                    renameInbound(arr.get(i), from, to);
                }
            }
        }
    }

    /** The architecture alone, with freshly initialised weights (tests, and training from scratch). */
    public static ComputationGraph importArchitecture(ObjectNode architecture) {
        ObjectNode config = KerasJsonPatcher.patch(architecture.deepCopy(), "2.15.0", "tensorflow");
        return build(null, config, false);
    }

    private static ComputationGraph build(Path h5, ObjectNode config, boolean fullModel) {
        Path weights = null;
        try {
            if (h5 != null) {
                // DL4J allocates each dataset as the file declares it: check the declarations first
                Hdf5Inventory inventory = Hdf5Inventory.of(h5);
                inventory.requireFitsFile(java.nio.file.Files.size(h5));
                weights = Hdf5ScalarStripper.withoutScalars(h5, inventory);
            }
            KerasModelBuilder builder = new KerasModelBuilder(new KerasModelConfiguration())
                    .modelJson(Json.mapper().writeValueAsString(config))
                    .enforceTrainingConfig(false);
            if (weights == null) {
                // architecture only
            } else if (fullModel) {
                builder.weightsHdf5Filename(weights.toString());   // weights under /model_weights
            } else {
                builder.weightsHdf5FilenameNoRoot(weights.toString()); // save_weights layout: at the root
            }
            ComputationGraph graph;
            if ("Sequential".equals(config.path("class_name").asText())) {
                KerasSequentialModel sequential = builder.buildSequential();
                graph = sequential.getMultiLayerNetwork(weights != null).toComputationGraph();
            } else {
                KerasModel model = builder.buildModel();
                graph = model.getComputationGraph(weights != null);
            }
            removeNoOpDropout(graph);
            return graph;
        } catch (GraftException e) {
            throw e;
        } catch (UnsupportedKerasConfigurationException e) {
            throw new UnsupportedModelException("Graft cannot import " + h5 + ": " + firstLine(e.getMessage()),
                    "The model uses a Keras layer or option that DL4J 1.0.0-M2.1 does not support.", e);
        } catch (InvalidKerasConfigurationException e) {
            throw new DamagedFileException("The Keras model " + h5 + " is not valid: " + firstLine(e.getMessage()),
                    "Re-save it from Keras 2 as .h5 (model.save('model.h5')).", e);
        } catch (IOException e) {
            throw new EnvironmentException("Could not read " + h5 + ": " + e.getMessage(),
                    "Check that the file and the temporary folder are readable.", e);
        } catch (RuntimeException e) {
            if (NativeErrors.isNative(e)) {
                throw new DamagedFileException("HDF5 could not read " + h5 + ": " + firstLine(e.getMessage()),
                        "The file may be damaged or truncated; save or copy it again.", e);
            }
            throw e;
        } finally {
            if (weights != null && !weights.equals(h5)) {
                try {
                    java.nio.file.Files.deleteIfExists(weights);
                } catch (IOException e) {
                    // a temporary file; deleteOnExit is the fallback
                }
            }
        }
    }

    /**
     * DL4J's Keras import gives every layer a "dropout" that keeps all activations (p = 1). It does nothing, but
     * in a channels-last convolution its backward pass fails on a shape check, so fine-tuning would crash.
     * Explicit Keras Dropout layers are kept.
     */
    static void removeNoOpDropout(ComputationGraph graph) {
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && !(lv.getLayerConf().getLayer() instanceof DropoutLayer)) {
                Layer layer = lv.getLayerConf().getLayer();
                if (layer.getIDropout() instanceof Dropout d && d.getP() >= 1.0 && d.getPSchedule() == null) {
                    layer.setIDropout(null);
                }
            }
        }
    }

    /** Height, width and channels of the model's first input, from its config; null if not fixed. */
    public static int[] inputShape(ObjectNode config) {
        for (JsonNode layer : config.path("config").path("layers")) {
            JsonNode shape = layer.path("config").path("batch_input_shape");
            if (shape.isArray() && shape.size() == 4 && shape.get(1).isInt() && shape.get(2).isInt()) {
                return new int[]{shape.get(1).asInt(), shape.get(2).asInt(), shape.get(3).asInt()};
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String readAttribute(Hdf5Archive archive, String name, String fallback) {
        try {
            if (archive.hasAttribute(name)) {
                String v = archive.readAttributeAsString(name);
                if (v != null && !v.isBlank()) {
                    return v.trim();
                }
            }
        } catch (UnsupportedKerasConfigurationException e) {
            // older files store these as fixed-length strings; fall through
        } catch (RuntimeException e) {
            if (!NativeErrors.isNative(e)) {
                throw e;
            }
            // likewise, as HDF5 reports it
        }
        return fallback;
    }

    private static Hdf5Archive openArchive(Path h5) {
        try {
            return new Hdf5Archive(h5.toString());
        } catch (RuntimeException e) {
            if (!NativeErrors.isNative(e)) {
                throw e;
            }
            throw new DamagedFileException("Could not open " + h5 + " as HDF5: " + e.getMessage(),
                    "The file may be truncated; download or save it again.", e);
        }
    }

    /** Clear errors for files that are not Keras HDF5 models, before any native code touches them. */
    static void checkFileType(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadOptionException("Model file " + file.toAbsolutePath() + " does not exist.",
                    "Check the path, or give a backbone name (see 'graft inspect --list').");
        }
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new EnvironmentException("Cannot read " + file + ": " + e.getMessage(), null, e);
        }
        if (n >= 4 && Arrays.equals(Arrays.copyOf(head, 4), ZIP_MAGIC)) {
            throw new UnsupportedModelException(file
                    + " is a Keras 3 '.keras' archive (or another zip), not an HDF5 model.",
                    "Graft imports Keras 2 HDF5 files: in Keras 2.x run model.save('model.h5'); from Keras 3, "
                            + "export to ONNX instead.");
        }
        if (n < 8 || !Arrays.equals(head, HDF5_MAGIC)) {
            throw new DamagedFileException(file + " is not an HDF5 file (nor a Keras model).",
                    "Give a Keras model saved as .h5 (model.save('model.h5')).");
        }
    }
}
