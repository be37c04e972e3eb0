package org.graft.backbone.keras;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.graft.model.layers.ChannelAffineVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Keras {@code Normalization}: {@code (x - mean) / max(sqrt(variance), 1e-7)} per channel, as a fixed affine
 * vertex. The statistics come from the config (when given there) or from the layer's weights.
 */
public class KerasNormalization extends KerasLayer {
    public static final String CLASS_NAME = "GraftNormalization";
    private final ChannelAffineVertex affine;

    public KerasNormalization(Map<String, Object> layerConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        this(layerConfig, false);
    }

    public KerasNormalization(Map<String, Object> layerConfig, boolean enforceTrainingConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, enforceTrainingConfig);
        Map<String, Object> inner = KerasConfigs.inner(layerConfig);
        Object axis = inner.get("axis");
        int ax = axis instanceof List<?> l && l.size() == 1 ? ((Number) l.get(0)).intValue()
                : axis instanceof Number n ? n.intValue() : -1;
        if (ax != -1 && ax != 3) {
            throw new UnsupportedKerasConfigurationException("Normalization over axis " + axis
                    + " is not supported (only the channel axis of channels-last images)");
        }
        this.affine = new ChannelAffineVertex(new double[]{1}, new double[]{0}, true);
        this.vertex = affine;
        if (inner.get("mean") != null && inner.get("variance") != null) {
            set(KerasConfigs.doubles(inner.get("mean"), 0), KerasConfigs.doubles(inner.get("variance"), 1));
        }
    }

    private void set(double[] mean, double[] variance) {
        double[] scale = new double[mean.length];
        double[] offset = new double[mean.length];
        for (int c = 0; c < mean.length; c++) {
            scale[c] = 1.0 / Math.max(Math.sqrt(variance[c]), 1e-7);
            offset[c] = -mean[c] * scale[c];
        }
        affine.setValues(scale, offset);
    }

    /** Receives mean and variance (the scalar "count" is dropped before import: DL4J cannot read rank-0 data). */
    @Override
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        INDArray mean = weights.get("mean");
        INDArray variance = weights.get("variance");
        if (mean == null || variance == null) {
            throw new InvalidKerasConfigurationException("Normalization layer " + layerName
                    + " needs 'mean' and 'variance' weights; found " + weights.keySet());
        }
        set(mean.toDoubleVector(), variance.toDoubleVector());
    }

    @Override
    public InputType getOutputType(InputType... inputType) {
        return inputType[0];
    }
}
