package org.graft.backbone;

import org.graft.common.Artifact;
import org.graft.data.Preprocessing;

/**
 * A backbone Graft knows by name (an entry of {@code models/registry.json}).
 *
 * @param format       how the file is imported: "keras-h5" (a full Keras model: config and weights) or
 *                     "keras-weights" (weights only; Graft builds the {@code architecture})
 * @param architecture for "keras-weights": which architecture Graft builds ("efficientnet-b0",
 *                     "efficientnet-b0-notop")
 * @param featureLayer the layer whose output feeds the new classifier; null to detect it
 */
public record BackboneSpec(String name, String description, String format, String architecture, Artifact file,
                           String featureLayer,
                           Preprocessing preprocessing, String license) {
}
