package org.graft.backbone;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The architecture of Keras' {@code keras.applications.EfficientNetB0}, written out as the Keras JSON config that
 * Keras itself would save (same layer names, shapes and order), so that the official weights-only files
 * ({@code efficientnetb0.h5}, {@code efficientnetb0_notop.h5}) load by layer name.
 *
 * <p>The preprocessing is the Keras 2.13+ one: {@code Rescaling(1/255)}, {@code Normalization} (its mean and
 * "variance" come from the weights file), then a per-channel {@code Rescaling(1/sqrt(std))}. Keras added that
 * last layer because the official files store the ImageNet standard deviations where the variances belong; with
 * it, inputs are normalised as the network was trained.
 */
public final class EfficientNetB0 {
    public static final int SIZE = 224;
    public static final int FEATURES = 1280;
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    /** kernel, repeats, filters in, filters out, expand ratio, stride (Keras' DEFAULT_BLOCKS_ARGS for B0). */
    private static final int[][] BLOCKS = {
            {3, 1, 32, 16, 1, 1}, {3, 2, 16, 24, 6, 2}, {5, 2, 24, 40, 6, 2}, {3, 3, 40, 80, 6, 2},
            {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2}, {3, 1, 192, 320, 6, 1}};
    private static final double DROP_CONNECT = 0.2;

    private final JsonNodeFactory f = JsonNodeFactory.instance;
    private final ArrayNode layers = f.arrayNode();

    private EfficientNetB0() {
    }

    /**
     * The model config. With the top: {@code avg_pool -> top_dropout -> predictions} (1000 ImageNet classes);
     * without it the model ends in {@code avg_pool} (Keras' {@code pooling='avg'}), the feature layer either way.
     */
    public static ObjectNode kerasConfig(boolean includeTop) {
        return new EfficientNetB0().build(includeTop);
    }

    private ObjectNode build(boolean includeTop) {
        String x = add("InputLayer", "input_1", List.of(), c -> {
            c.putArray("batch_input_shape").addNull().add(SIZE).add(SIZE).add(3);
            c.put("sparse", false);
            c.put("ragged", false);
        });
        x = add("Rescaling", "rescaling", List.of(x), c -> {
            c.put("scale", 1 / 255.0);
            c.put("offset", 0.0);
        });
        x = add("Normalization", "normalization", List.of(x), c -> {
            c.putArray("axis").add(3);
            c.putNull("mean");
            c.putNull("variance");
        });
        x = add("Rescaling", "rescaling_1", List.of(x), c -> {
            ArrayNode scale = c.putArray("scale");
            for (double s : IMAGENET_STD) {
                scale.add(1 / Math.sqrt(s));
            }
            c.put("offset", 0.0);
        });
        x = zeroPad("stem_conv_pad", x, 3);
        x = conv("stem_conv", x, 32, 3, 2, "valid", false, "linear");
        x = bn("stem_bn", x);
        x = activation("stem_activation", x, "swish");

        int total = 0;
        for (int[] b : BLOCKS) {
            total += b[1];
        }
        int index = 0;
        for (int i = 0; i < BLOCKS.length; i++) {
            int[] b = BLOCKS[i];
            for (int j = 0; j < b[1]; j++) {
                int filtersIn = j == 0 ? b[2] : b[3];
                int stride = j == 0 ? b[5] : 1;
                String prefix = "block" + (i + 1) + (char) ('a' + j) + "_";
                x = block(prefix, x, filtersIn, b[3], b[0], stride, b[4], DROP_CONNECT * index / total);
                index++;
            }
        }
        x = conv("top_conv", x, FEATURES, 1, 1, "same", false, "linear");
        x = bn("top_bn", x);
        x = activation("top_activation", x, "swish");
        x = add("GlobalAveragePooling2D", "avg_pool", List.of(x), c -> {
            c.put("data_format", "channels_last");
            c.put("keepdims", false);
        });
        if (includeTop) {
            x = add("Dropout", "top_dropout", List.of(x), c -> {
                c.put("rate", 0.2);
                c.putNull("noise_shape");
                c.putNull("seed");
            });
            x = add("Dense", "predictions", List.of(x), c -> {
                c.put("units", 1000);
                c.put("activation", "softmax");
                c.put("use_bias", true);
                initializers(c, "kernel");
                initializers(c, "bias");
            });
        }
        ObjectNode model = f.objectNode();
        model.put("class_name", "Functional");
        ObjectNode config = model.putObject("config");
        config.put("name", "efficientnetb0");
        config.set("layers", layers);
        config.putArray("input_layers").addArray().add("input_1").add(0).add(0);
        config.putArray("output_layers").addArray().add(x).add(0).add(0);
        model.put("keras_version", "2.15.0");
        model.put("backend", "tensorflow");
        return model;
    }

    private String block(String p, String input, int filtersIn, int filtersOut, int kernel, int stride, int expand,
                         double dropRate) {
        int filters = filtersIn * expand;
        String x = input;
        if (expand != 1) {
            x = conv(p + "expand_conv", x, filters, 1, 1, "same", false, "linear");
            x = bn(p + "expand_bn", x);
            x = activation(p + "expand_activation", x, "swish");
        }
        String padding = "same";
        if (stride == 2) {
            x = zeroPad(p + "dwconv_pad", x, kernel);
            padding = "valid";
        }
        String dwPadding = padding;
        x = add("DepthwiseConv2D", p + "dwconv", List.of(x), c -> {
            convCommon(c, kernel, stride, dwPadding, false, "linear");
            c.put("depth_multiplier", 1);
            initializers(c, "depthwise");
        });
        x = bn(p + "bn", x);
        x = activation(p + "activation", x, "swish");
        int filtersSe = Math.max(1, (int) (filtersIn * 0.25));
        String se = add("GlobalAveragePooling2D", p + "se_squeeze", List.of(x), c -> {
            c.put("data_format", "channels_last");
            c.put("keepdims", false);
        });
        se = add("Reshape", p + "se_reshape", List.of(se), c -> c.putArray("target_shape").add(1).add(1).add(filters));
        se = conv(p + "se_reduce", se, filtersSe, 1, 1, "same", true, "swish");
        se = conv(p + "se_expand", se, filters, 1, 1, "same", true, "sigmoid");
        x = add("Multiply", p + "se_excite", List.of(x, se), c -> {
        });
        x = conv(p + "project_conv", x, filtersOut, 1, 1, "same", false, "linear");
        x = bn(p + "project_bn", x);
        if (stride == 1 && filtersIn == filtersOut) {
            if (dropRate > 0) {
                x = add("Dropout", p + "drop", List.of(x), c -> {
                    c.put("rate", dropRate);
                    c.putArray("noise_shape").addNull().add(1).add(1).add(1);
                    c.putNull("seed");
                });
            }
            x = add("Add", p + "add", List.of(x, input), c -> {
            });
        }
        return x;
    }

    private String conv(String name, String in, int filters, int kernel, int stride, String padding, boolean bias,
                        String activation) {
        return add("Conv2D", name, List.of(in), c -> {
            c.put("filters", filters);
            convCommon(c, kernel, stride, padding, bias, activation);
            c.put("groups", 1);
            initializers(c, "kernel");
            initializers(c, "bias");
        });
    }

    private void convCommon(ObjectNode c, int kernel, int stride, String padding, boolean bias, String activation) {
        c.putArray("kernel_size").add(kernel).add(kernel);
        c.putArray("strides").add(stride).add(stride);
        c.put("padding", padding);
        c.put("data_format", "channels_last");
        c.putArray("dilation_rate").add(1).add(1);
        c.put("activation", activation);
        c.put("use_bias", bias);
    }

    private void initializers(ObjectNode c, String what) {
        ObjectNode init = c.putObject(what + "_initializer");
        init.put("class_name", what.equals("bias") ? "Zeros" : "VarianceScaling");
        ObjectNode ic = init.putObject("config");
        if (!what.equals("bias")) {
            ic.put("scale", 2.0);
            ic.put("mode", "fan_out");
            ic.put("distribution", "truncated_normal");
            ic.putNull("seed");
        }
        c.putNull(what + "_regularizer");
        c.putNull(what + "_constraint");
    }

    private String bn(String name, String in) {
        return add("BatchNormalization", name, List.of(in), c -> {
            c.putArray("axis").add(3);
            c.put("momentum", 0.99);
            c.put("epsilon", 0.001);
            c.put("center", true);
            c.put("scale", true);
            for (String w : List.of("beta", "gamma", "moving_mean", "moving_variance")) {
                ObjectNode init = c.putObject(w + "_initializer");
                init.put("class_name", w.equals("gamma") || w.equals("moving_variance") ? "Ones" : "Zeros");
                init.putObject("config");
            }
            c.putNull("beta_regularizer");
            c.putNull("gamma_regularizer");
            c.putNull("beta_constraint");
            c.putNull("gamma_constraint");
        });
    }

    private String activation(String name, String in, String fn) {
        return add("Activation", name, List.of(in), c -> c.put("activation", fn));
    }

    /** Keras' correct_pad for even input sizes: ((k/2 - 1, k/2), (k/2 - 1, k/2)). */
    private String zeroPad(String name, String in, int kernel) {
        int k = kernel / 2;
        return add("ZeroPadding2D", name, List.of(in), c -> {
            ArrayNode p = c.putArray("padding");
            p.addArray().add(k - 1).add(k);
            p.addArray().add(k - 1).add(k);
            c.put("data_format", "channels_last");
        });
    }

    private String add(String cls, String name, List<String> inputs, java.util.function.Consumer<ObjectNode> cfg) {
        ObjectNode layer = layers.addObject();
        layer.put("class_name", cls);
        ObjectNode c = layer.putObject("config");
        c.put("name", name);
        c.put("trainable", true);
        c.put("dtype", "float32");
        cfg.accept(c);
        layer.put("name", name);
        ArrayNode inbound = layer.putArray("inbound_nodes");
        if (!inputs.isEmpty()) {
            ArrayNode node = inbound.addArray();
            for (String in : inputs) {
                node.addArray().add(in).add(0).add(0).addObject();
            }
        }
        return name;
    }
}
