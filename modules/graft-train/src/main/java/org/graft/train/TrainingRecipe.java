package org.graft.train;

import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.Json;
import org.graft.data.Preprocessing;
import org.graft.engine.Engine;
import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a run was asked to do, written to {@code recipe.json} as it starts: the data, the backbone and how it was
 * loaded, the training recipe and the engine. It is enough to run it again (as Tribuo's provenance is), and it is
 * what {@code graft train --resume} and {@code --rerun} rebuild the run from; {@code commandLine} is kept for a
 * person to read, never parsed.
 *
 * @param trainData       the training folder, absolute
 * @param validationData  the validation folder (absolute), or null when the training folder was split
 * @param groupBy         the --group-by value (a regex, or a CSV's absolute path), or null
 * @param backbone        what the backbone was and how it was loaded
 * @param config          the training recipe
 * @param engine          what computed the frozen backbone's features
 * @param checkNearDuplicates whether the split was checked for near-duplicates
 * @param commandLine     the arguments the run was started with, if it came from the command line
 */
public record TrainingRecipe(String trainData, String validationData, String groupBy, BackboneChoice backbone,
                             TrainingConfig config, Engine engine, boolean checkNearDuplicates,
                             List<String> commandLine) {

    /**
     * @param nameOrFile    a registry name, or the absolute path of a model file
     * @param preprocessing how images were prepared
     * @param featureLayer  where the new head joined
     */
    public record BackboneChoice(String nameOrFile, Preprocessing preprocessing, String featureLayer) {
    }

    public TrainingRecipe {
        commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
    }

    public Path trainPath() {
        return Path.of(trainData);
    }

    public Path validationPath() {
        return validationData == null ? null : Path.of(validationData);
    }

    /** The same recipe with another training recipe (--resume --epochs N). */
    public TrainingRecipe withConfig(TrainingConfig newConfig) {
        return new TrainingRecipe(trainData, validationData, groupBy, backbone, newConfig, engine,
                checkNearDuplicates, commandLine);
    }

    void write(RunFolder run) {
        Json.write(run.file(RunFolder.RECIPE), this);
    }

    /** The recipe of a run folder; a folder without one was not started by 'graft train' (or by an old Graft). */
    public static TrainingRecipe read(RunFolder run, String what) {
        Path file = run.file(RunFolder.RECIPE);
        if (!Files.isRegularFile(file)) {
            throw new BadOptionException(run + " is not a run folder that can be " + what + " (it has no "
                    + RunFolder.RECIPE + ").", "Give the --out folder of an earlier 'graft train' (not a fold of "
                    + "--folds); runs made before Graft recorded recipes must be started again.");
        }
        try {
            TrainingRecipe r = Json.mapper().readValue(file.toFile(), TrainingRecipe.class);
            if (r == null || r.trainData() == null || r.backbone() == null || r.config() == null) {
                throw new DamagedFileException(file + " lacks the data, backbone or recipe of its run.",
                        "Start the run again with 'graft train'.");
            }
            return r;
        } catch (IOException e) {
            throw new DamagedFileException(file + " cannot be read: " + e.getMessage(),
                    "Start the run again with 'graft train'.", e);
        }
    }
}
