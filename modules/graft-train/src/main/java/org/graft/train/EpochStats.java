package org.graft.train;

/**
 * One epoch's figures; train accuracy is NaN where measuring it would cost an extra pass (fine-tuning).
 *
 * @param phase        "head" (the new head on the frozen backbone) or "finetune" (backbone unfrozen)
 * @param learningRate the head's learning rate at the end of the epoch
 */
public record EpochStats(int epoch, String phase, double trainLoss, double trainAccuracy, double validationLoss,
                         double validationAccuracy, double validationMacroF1, double learningRate, double seconds) {
}
