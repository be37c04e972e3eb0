package org.graft.cli;

import org.graft.train.TrainingConfig;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of {@code graft train}'s recipe options, taken from {@link TrainingConfig#defaults()}: the one
 * place they are defined, so the help (${DEFAULT-VALUE}) and the values filled in cannot drift from the library's.
 * Options whose default depends on the mode (--schedule, --warmup, --backbone-lr) have none here; the config's
 * builder fills them in.
 */
public final class TrainingDefaults implements IDefaultValueProvider {
    private final TrainingConfig defaults = TrainingConfig.defaults();

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        TrainingConfig d = defaults;
        return switch (option.longestName()) {
            case "--mode" -> d.mode().cliName();
            case "--epochs" -> String.valueOf(d.epochs());
            case "--head-epochs" -> String.valueOf(d.headEpochs());
            case "--unfreeze" -> d.unfreeze() == TrainingConfig.ALL_BLOCKS ? "all" : String.valueOf(d.unfreeze());
            case "--monitor" -> d.monitor().cliName();
            case "--patience" -> String.valueOf(d.patience());
            case "--class-weights" -> d.classWeights().spec();
            case "--augment" -> d.augmentation().spec();
            case "--batch" -> String.valueOf(d.batchSize());
            case "--inference-batch" -> String.valueOf(d.inferenceBatch());
            case "--lr" -> String.valueOf(d.learningRate());
            case "--seed" -> String.valueOf(d.seed());
            case "--val-fraction" -> String.valueOf(d.validationFraction());
            default -> null;
        };
    }
}
