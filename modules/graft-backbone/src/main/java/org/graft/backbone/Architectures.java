package org.graft.backbone;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.graft.common.UnsupportedModelException;

/** Architectures Graft builds itself, for weights-only files (by the registry's "architecture" name). */
public final class Architectures {
    public static final String EFFICIENTNET_B0 = "efficientnet-b0";
    public static final String EFFICIENTNET_B0_NOTOP = "efficientnet-b0-notop";

    private Architectures() {
    }

    public static ObjectNode kerasConfig(String architecture) {
        return switch (architecture) {
            case EFFICIENTNET_B0 -> EfficientNetB0.kerasConfig(true);
            case EFFICIENTNET_B0_NOTOP -> EfficientNetB0.kerasConfig(false);
            default -> throw new UnsupportedModelException("Graft cannot build the architecture '" + architecture
                    + "'.",
                    "Known: " + EFFICIENTNET_B0 + ", " + EFFICIENTNET_B0_NOTOP + ".");
        };
    }
}
