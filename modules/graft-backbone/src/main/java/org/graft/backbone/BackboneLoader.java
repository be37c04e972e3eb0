package org.graft.backbone;

import org.deeplearning4j.exception.DL4JException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.BadOptionException;
import org.graft.common.Checksums;
import org.graft.common.DamagedFileException;
import org.graft.common.Fetcher;
import org.graft.common.GraftException;
import org.graft.common.UnexpectedFailure;
import org.graft.common.UnsupportedModelException;
import org.graft.data.Preprocessing;
import org.graft.model.BatchNormFolding;
import org.graft.model.OneDnnHelpers;
import org.graft.onnx.imports.OnnxConverter;
import org.graft.onnx.imports.OnnxModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.exception.ND4JIllegalArgumentException;
import org.nd4j.linalg.exception.ND4JIllegalStateException;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Loads a {@link Backbone} by registry name (fetching its weights) or from a user's Keras {@code .h5} file.
 *
 * <p>Builder: {@code setFetcher} is required; {@code optPreprocessing} and {@code optFeatureLayer} override what
 * the registry (or detection, for a user's file) says; {@code optFoldBatchNorm} folds BatchNorm into convolutions.
 */
public final class BackboneLoader {
    private static final Logger log = LoggerFactory.getLogger(BackboneLoader.class);

    private final Fetcher fetcher;
    private final BackboneRegistry registry;
    private final Preprocessing preprocessing;
    private final String featureLayer;
    private final boolean foldBatchNorm;

    private BackboneLoader(Builder b) {
        this.fetcher = b.fetcher;
        this.registry = b.registry == null ? BackboneRegistry.builtIn() : b.registry;
        this.preprocessing = b.preprocessing;
        this.featureLayer = b.featureLayer;
        this.foldBatchNorm = b.foldBatchNorm;
    }

    public static Builder builder() {
        return new Builder();
    }

    public BackboneRegistry registry() {
        return registry;
    }

    /** A registry name ("efficientnet-b0") or the path of a Keras model or weights file, or of an ONNX model. */
    public Backbone load(String nameOrPath) {
        OneDnnHelpers.enable();
        if (registry.contains(nameOrPath)) {
            BackboneSpec spec = registry.get(nameOrPath);
            Path file = fetcher.fetch(spec.file());
            if ("keras-weights".equals(spec.format())) {
                return reading(file, () -> fromWeightsFile(spec.name(), file, spec.architecture(),
                        spec.featureLayer(), spec.preprocessing(), spec.license()));
            }
            return reading(file, () -> fromKerasFile(spec.name(), file, spec.featureLayer(), spec.preprocessing(),
                    spec.license()));
        }
        Path file = Path.of(nameOrPath);
        if (nameOrPath.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            return reading(file, () -> fromOnnxFile(file));
        }
        if (!Files.exists(file) && !nameOrPath.toLowerCase(Locale.ROOT).matches(".*\\.(h5|hdf5|keras)$")) {
            registry.get(nameOrPath); // throws "unknown backbone" listing the known names
        }
        KerasImporter.checkFileType(file);
        return reading(file, () -> fromKerasPath(file));
    }

    /**
     * Runs {@code read} on a model file: a problem it recognises stays as it is; a native HDF5 error means a
     * damaged file; anything else is a bug, reported with the file's name.
     */
    private static Backbone reading(Path file, Supplier<Backbone> read) {
        try {
            return read.get();
        } catch (GraftException e) {
            throw e;
        } catch (RuntimeException e) {
            if (NativeErrors.isNative(e)) {
                // HDF5 reports a damaged file as a bare RuntimeException ("H5Aread failed")
                throw new DamagedFileException(file + " could not be read as a model: " + e.getMessage(),
                        "The file may be damaged or truncated; save or copy it again.", e);
            }
            throw new UnexpectedFailure(file.toString(), e);
        }
    }

    private Backbone fromKerasPath(Path file) {
        String architecture = KerasWeightsFiles.recogniseArchitecture(file);
        if (architecture != null) {
            // an official weights-only file given by path: the same path as the registry's download
            BackboneSpec spec = registry.all().stream().filter(s -> architecture.equals(s.architecture()))
                    .findFirst().orElseThrow();
            return fromWeightsFile(file.getFileName().toString(), file, architecture, spec.featureLayer(),
                    spec.preprocessing(), spec.license());
        }
        return fromKerasFile(file.getFileName().toString(), file, null, null, "as given by the user");
    }

    private Backbone fromWeightsFile(String name, Path file, String architecture, String specFeatureLayer,
                                     Preprocessing specPre, String license) {
        long t0 = System.nanoTime();
        ComputationGraph graph = KerasImporter.importWithWeightsFile(Architectures.kerasConfig(architecture), file);
        log.info("Built {} and loaded the weights of {} in {} ms", architecture, file.getFileName(),
                (System.nanoTime() - t0) / 1_000_000);
        return finish(name, graph, file, specFeatureLayer, preprocessing != null ? preprocessing : specPre, license);
    }

    private Backbone fromKerasFile(String name, Path file, String specFeatureLayer, Preprocessing specPre,
                                   String license) {
        long t0 = System.nanoTime();
        var config = KerasImporter.readPatchedConfig(file);
        ComputationGraph graph = KerasImporter.importGraph(file, config);
        log.info("Imported {} in {} ms", file.getFileName(), (System.nanoTime() - t0) / 1_000_000);
        Preprocessing pre = preprocessing != null ? preprocessing
                : specPre != null ? specPre : guessPreprocessing(KerasImporter.inputShape(config), file);
        return finish(name, graph, file, specFeatureLayer, pre, license);
    }

    /**
     * A user's ONNX model (e.g. a torchvision model exported with torch.onnx.export), converted by Graft's own
     * converter. Without --preprocess, the preprocessing Graft's export wrote into the file is used, or else
     * torchvision's ImageNet transform is assumed, at the model's input size. The layout is the model's own (NHWC
     * for an input transposed to NCHW, as Graft exports Keras models).
     */
    private Backbone fromOnnxFile(Path file) {
        long t0 = System.nanoTime();
        // BatchNorm, where wanted, is folded in finish() as for Keras models (one mechanism for both)
        OnnxConverter.Builder converter = OnnxConverter.builder();
        if (preprocessing != null) {
            converter.optInputSize(preprocessing.cropHeight(), preprocessing.cropWidth());
        }
        OnnxModel model = converter.build().convert(file);
        log.info("Converted {} ({} ONNX opset {}) in {} ms", file.getFileName(), model.producer(), model.opset(),
                (System.nanoTime() - t0) / 1_000_000);
        long[] chw = model.inputShape();
        if (chw.length != 3 || chw[0] != 3) {
            throw new UnsupportedModelException(file + " takes inputs of shape " + Arrays.toString(chw)
                    + " per example; "
                    + "Graft feeds RGB images [3, height, width].", "Export an image model with a 3-channel input.");
        }
        Preprocessing pre;
        if (preprocessing != null) {
            pre = preprocessing.withLayout(model.inputLayout());
        } else if (model.preprocessing().isPresent()) {
            pre = model.preprocessing().get(); // how Graft's export said the model wants its images
            log.info("{}: using the preprocessing in its metadata ({})", file.getFileName(), pre);
        } else {
            pre = Preprocessing.torchvision((int) chw[1], model.inputLayout());
            if (chw[1] != chw[2]) {
                pre = new Preprocessing(pre.resizeShorter(), (int) chw[1], (int) chw[2], pre.channelOrder(),
                        pre.scale(), pre.mean(), pre.std(), pre.layout(), pre.interpolation());
            }
            log.warn("{}: no preprocessing given; assuming torchvision's ImageNet transform ({}). "
                    + "Pass --preprocess if the model was trained differently.", file.getFileName(), pre);
        }
        return finish(file.getFileName().toString(), model.graph(), file, model.featureVertex(), pre,
                "as given by the user");
    }

    private Backbone finish(String name, ComputationGraph graph, Path file, String specFeatureLayer,
                            Preprocessing pre, String license) {
        if (foldBatchNorm) {
            // a frozen backbone: BatchNorm is a fixed affine map, cheaper inside the convolution before it
            java.util.Set<String> keep = new java.util.HashSet<>();
            if (featureLayer != null) {
                keep.add(featureLayer);
            }
            if (specFeatureLayer != null) {
                keep.add(specFeatureLayer);
            }
            graph = BatchNormFolding.fold(graph, keep);
        }
        String feature = featureLayer != null ? featureLayer
                : specFeatureLayer != null ? specFeatureLayer : FeatureLayers.detect(graph);
        FeatureLayers.requireVertex(graph, feature);
        long[] featureShape = featureShape(graph, feature, pre);
        return new Backbone(name, graph, feature, featureShape, pre, file.toAbsolutePath(), Checksums.sha256(file),
                license);
    }

    /** A user's Keras model: input size from the model; Keras "tf" scaling to [-1, 1] unless told otherwise. */
    private static Preprocessing guessPreprocessing(int[] hwc, Path file) {
        if (hwc == null) {
            throw new UnsupportedModelException(file + " does not declare a fixed input size.",
                    "Save the Keras model with a fixed input shape, e.g. Input(shape=(224, 224, 3)).");
        }
        log.warn("{}: no preprocessing given; assuming Keras-style RGB scaled to [-1, 1] at {}x{}. "
                + "Pass --preprocess if the model was trained differently.", file.getFileName(), hwc[0], hwc[1]);
        return new Preprocessing(Math.max(hwc[0], hwc[1]), hwc[0], hwc[1], Preprocessing.ChannelOrder.RGB,
                1 / 127.5, new double[]{1, 1, 1}, new double[]{1, 1, 1}, Preprocessing.Layout.NHWC,
                Preprocessing.Interpolation.BILINEAR);
    }

    /** Runs one blank image through the network to learn the feature layer's output shape. */
    static long[] featureShape(ComputationGraph graph, String featureLayer, Preprocessing pre) {
        INDArray blank = Nd4j.zeros(DataType.FLOAT, pre.shape(1));
        Map<String, INDArray> acts;
        try {
            acts = graph.feedForward(new INDArray[]{blank}, false, false);
        } catch (DL4JException | ND4JIllegalStateException | ND4JIllegalArgumentException e) {
            // how DL4J and ND4J refuse an input of the wrong shape (a fixed-size layer, an odd crop)
            throw new BadOptionException("The model does not accept " + Arrays.toString(pre.shape(1))
                    + " images: " + e.getMessage(), "Check the preprocessing's crop size and layout (--size, "
                    + "--preprocess).", e);
        }
        INDArray f = acts.get(featureLayer);
        long[] shape = Arrays.copyOfRange(f.shape(), 1, f.rank());
        if (shape.length != 1 && shape.length != 3) {
            throw new BadOptionException("Feature layer '" + featureLayer + "' has output shape "
                    + Arrays.toString(shape)
                    + "; a classifier needs a vector or a feature map.", "Choose another --feature-layer.");
        }
        return shape;
    }

    /** Builder: {@code setFetcher} is required. */
    public static final class Builder {
        private Fetcher fetcher;
        private BackboneRegistry registry;
        private Preprocessing preprocessing;
        private String featureLayer;
        private boolean foldBatchNorm;

        public Builder setFetcher(Fetcher fetcher) {
            this.fetcher = fetcher;
            return this;
        }

        public Builder optRegistry(BackboneRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder optPreprocessing(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        public Builder optFeatureLayer(String featureLayer) {
            this.featureLayer = featureLayer;
            return this;
        }

        /**
         * Folds BatchNormalization into the convolution before it: the same outputs with less work, for a backbone
         * that stays frozen (transfer learning); fine-tuning keeps BatchNorm as a layer.
         */
        public Builder optFoldBatchNorm(boolean fold) {
            this.foldBatchNorm = fold;
            return this;
        }

        public BackboneLoader build() {
            if (fetcher == null) {
                throw new IllegalStateException("setFetcher is required");
            }
            return new BackboneLoader(this);
        }
    }
}
