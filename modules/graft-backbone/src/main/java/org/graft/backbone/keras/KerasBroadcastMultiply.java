package org.graft.backbone.keras;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.graft.model.layers.BroadcastMultiplyVertex;

import java.util.Map;

/** Keras {@code Multiply} of two inputs where one may broadcast (squeeze-and-excitation). */
public class KerasBroadcastMultiply extends KerasLayer {
    public static final String CLASS_NAME = "GraftBroadcastMultiply";

    public KerasBroadcastMultiply(Map<String, Object> layerConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        this(layerConfig, false);
    }

    public KerasBroadcastMultiply(Map<String, Object> layerConfig, boolean enforceTrainingConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, enforceTrainingConfig);
        this.vertex = new BroadcastMultiplyVertex();
    }

    @Override
    public InputType getOutputType(InputType... inputType) {
        return vertex.getOutputType(-1, inputType);
    }
}
