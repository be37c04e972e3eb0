package org.graft.train;

import org.graft.model.run.TrainingPhase;
import org.graft.model.schedule.WarmupSchedule;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.ArrayList;
import java.util.List;

/**
 * One stretch of training with the same layers learning: {@link TrainingPhase#HEAD} (the new head on the frozen
 * backbone, on cached features unless images are augmented) or {@link TrainingPhase#FINETUNE} (the unfrozen
 * backbone too), with its epochs and learning-rate schedule.
 */
public record PhasePlan(TrainingPhase phase, int epochs, boolean onFeatures, TrainingConfig.Schedule schedule,
                        int warmupEpochs, boolean augment) {

    /** The phases a recipe trains in, in order. */
    public static List<PhasePlan> of(TrainingConfig c) {
        boolean augment = c.augmentation().isEnabled();
        if (c.mode() == Mode.TRANSFER) {
            // augmented images differ every epoch, so their features cannot be computed once
            return List.of(new PhasePlan(TrainingPhase.HEAD, c.epochs(), !augment, c.schedule(), c.warmupEpochs(),
                    augment));
        }
        List<PhasePlan> phases = new ArrayList<>();
        if (c.headEpochs() > 0) {
            // a new head trained first, so that its random start does not send large gradients into the
            // pretrained layers
            phases.add(new PhasePlan(TrainingPhase.HEAD, c.headEpochs(), true, TrainingConfig.Schedule.CONSTANT, 0,
                    false));
        }
        phases.add(new PhasePlan(TrainingPhase.FINETUNE, c.epochs(), false, c.schedule(), c.warmupEpochs(), augment));
        return phases;
    }

    /** The learning rate over this phase's steps, peaking at {@code peak}. */
    ISchedule learningRate(double peak, int stepsPerEpoch) {
        return new WarmupSchedule(WarmupSchedule.Shape.valueOf(schedule.name()), peak,
                warmupEpochs * stepsPerEpoch, Math.max(1, epochs * stepsPerEpoch));
    }
}
