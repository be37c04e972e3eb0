package org.graft.model.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** A stretch of training with the same layers learning; recorded with every epoch of a run's history. */
public enum TrainingPhase {
    /** The new head alone, on the frozen backbone (transfer mode, and the first phase of fine-tuning). */
    HEAD,
    /** The unfrozen backbone too (the second phase of fine-tuning). */
    FINETUNE;

    /** As history.json and the console write it: "head", "finetune". */
    @JsonValue
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TrainingPhase of(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return fileName();
    }
}
