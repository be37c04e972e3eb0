package org.graft.model.run;

/**
 * One epoch's figures, as {@code history.json} holds them; train accuracy is NaN where measuring it would cost an
 * extra pass (fine-tuning).
 *
 * @param phase        which layers were learning
 * @param learningRate the head's learning rate at the end of the epoch
 * @param seconds      wall time of the epoch, validation included (the one figure a rerun does not reproduce)
 */
public record EpochStats(int epoch, TrainingPhase phase, double trainLoss, double trainAccuracy,
                         double validationLoss, double validationAccuracy, double validationMacroF1,
                         double learningRate, double seconds) {

    /** The same figures without the timing: what two runs of the same recipe must agree on. */
    public EpochStats withoutTiming() {
        return new EpochStats(epoch, phase, trainLoss, trainAccuracy, validationLoss, validationAccuracy,
                validationMacroF1, learningRate, 0);
    }
}
