package org.graft.train;

import java.util.Locale;

/** How much of the backbone learns. */
public enum Mode {
    /** The backbone is a frozen feature extractor; only the new head learns (fast, little data needed). */
    TRANSFER,
    /** Every layer learns (slower; can pay off with more data). */
    FINETUNE;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
