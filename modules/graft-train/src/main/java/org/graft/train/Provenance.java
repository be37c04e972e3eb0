package org.graft.train;

import org.graft.backbone.Backbone;
import org.graft.common.Checksums;
import org.graft.common.Json;
import org.graft.common.Versions;
import org.graft.model.EvaluationReport;
import org.graft.model.ModelDescription;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a model saved during a run says about itself (Tribuo-style provenance): its classes and preprocessing, the
 * backbone, the whole recipe, the data and split, the validation figures, and the software versions.
 */
final class Provenance {
    private final TrainingConfig config;
    private final Backbone backbone;
    private final PreparedData data;
    private final RunFolder run;
    private final boolean validationFolderGiven;
    /** Which engine computed what, phase by phase, as the loops report it. */
    private final Map<String, String> engines = new LinkedHashMap<>();

    Provenance(TrainingConfig config, Backbone backbone, PreparedData data, RunFolder run,
               boolean validationFolderGiven) {
        this.config = config;
        this.backbone = backbone;
        this.data = data;
        this.run = run;
        this.validationFolderGiven = validationFolderGiven;
    }

    /** Records what computed each part of a phase ({@link EpochLoop#engines()}). */
    void recordEngines(TrainingPhase phase, Map<String, String> used) {
        used.forEach((what, how) -> engines.put(phase.name().toLowerCase(Locale.ROOT) + " " + what, how));
    }

    /** The description of a model whose best epoch is {@code bestEpoch} after {@code epochs} epochs. */
    ModelDescription describe(int bestEpoch, int epochs, EvaluationReport report, double trainSeconds) {
        var backboneInfo = new ModelDescription.BackboneInfo(backbone.name(),
                backbone.source().getFileName().toString(), backbone.sha256(), backbone.featureLayer(),
                backbone.license());
        @SuppressWarnings("unchecked")
        Map<String, Object> recipe = Json.mapper().convertValue(config, Map.class);
        var training = new ModelDescription.TrainingInfo(config.mode().cliName(), epochs, bestEpoch,
                config.batchSize(), config.learningRate(), "Adam", config.seed(), config.dropout(), trainSeconds,
                recipe, Collections.unmodifiableMap(new LinkedHashMap<>(engines)));
        var split = data.split();
        var dataInfo = new ModelDescription.DataInfo(split.train().root().toString(),
                split.validation().root().toString(), Checksums.sha256(run.file(RunFolder.SPLIT)),
                validationFolderGiven ? 0 : config.validationFraction(), split.train().images().size(),
                split.validation().images().size(), data.skipped().size(), split.train().countsByLabel(),
                data.grouping().isNone() ? "none" : data.grouping().describe());
        return new ModelDescription(ModelDescription.FORMAT_VERSION, data.labels(), backbone.preprocessing(),
                backboneInfo, training, dataInfo, report.summary(), Versions.current(), Instant.now().toString());
    }
}
