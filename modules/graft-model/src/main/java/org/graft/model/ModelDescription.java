package org.graft.model;

import org.graft.data.Preprocessing;

import java.util.List;
import java.util.Map;

/**
 * What a saved model knows about itself (Tribuo-style provenance): its classes, how to prepare an image, which
 * backbone and weights it grew from, how it was trained, on which data, and with which software.
 * Stored as {@code graft-model.json} inside the model zip.
 */
public record ModelDescription(int formatVersion, List<String> labels, Preprocessing preprocessing,
                               BackboneInfo backbone, TrainingInfo training, DataInfo data,
                               Map<String, Object> validation, Map<String, String> versions, String createdAt) {

    public static final int FORMAT_VERSION = 1;

    /** The backbone: registry name or file, the checksum of its weights file, and where the new head joins. */
    public record BackboneInfo(String name, String sourceFile, String sha256, String featureLayer, String license) {
    }

    /**
     * The training recipe: the main settings, and {@code recipe}, every setting of the run (schedule, unfreezing,
     * class weights, augmentation, early stopping...; absent in models from before it was recorded), and
     * {@code engines}: which engine computed what (frozen features, training, validation), and why.
     */
    public record TrainingInfo(String mode, int epochs, int bestEpoch, int batchSize, double learningRate,
                               String optimizer, long seed, double dropout, double trainSeconds,
                               Map<String, Object> recipe, Map<String, String> engines) {
    }

    /** The data: folders, split, counts, and how images were grouped for the split ("none" if not). */
    public record DataInfo(String trainFolder, String validationFolder, String splitManifestSha256,
                           double validationFraction, int trainImages, int validationImages, int skippedImages,
                           Map<String, Long> trainCounts, String grouping) {
    }
}
