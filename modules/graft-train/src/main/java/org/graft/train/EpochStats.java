package org.graft.train;

/** One epoch's figures; train accuracy is NaN where measuring it would cost an extra pass (fine-tuning). */
public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                         double validationAccuracy, double seconds) {
}
