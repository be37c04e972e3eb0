package org.graft.backbone.keras;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.graft.model.layers.ChannelAffineVertex;

import java.util.Map;

/** Keras {@code Rescaling(scale, offset)}, scalar or per channel (EfficientNet's preprocessing), as a vertex. */
public class KerasRescaling extends KerasLayer {
    public static final String CLASS_NAME = "GraftRescaling";

    public KerasRescaling(Map<String, Object> layerConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        this(layerConfig, false);
    }

    public KerasRescaling(Map<String, Object> layerConfig, boolean enforceTrainingConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, enforceTrainingConfig);
        Map<String, Object> inner = KerasConfigs.inner(layerConfig);
        this.vertex = new ChannelAffineVertex(KerasConfigs.doubles(inner.get("scale"), 1.0),
                KerasConfigs.doubles(inner.get("offset"), 0.0), true);
    }

    @Override
    public InputType getOutputType(InputType... inputType) {
        return inputType[0];
    }
}
