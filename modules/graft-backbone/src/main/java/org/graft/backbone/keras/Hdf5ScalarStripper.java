package org.graft.backbone.keras;

import org.bytedeco.hdf5.H5File;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDWR;

/**
 * DL4J cannot read rank-0 (scalar) datasets, such as Keras Normalization's {@code count}. This makes a temporary
 * copy of a weights file without them; the user's file is never modified.
 */
public final class Hdf5ScalarStripper {
    private Hdf5ScalarStripper() {
    }

    /** A temporary copy without scalar datasets, or the file itself if it has none. */
    public static Path withoutScalars(Path h5, Hdf5Inventory inventory) throws IOException {
        if (inventory.scalars().isEmpty()) {
            return h5;
        }
        Path copy = Files.createTempFile("graft-weights-", ".h5");
        copy.toFile().deleteOnExit();
        Files.copy(h5, copy, StandardCopyOption.REPLACE_EXISTING);
        try (H5File file = new H5File(copy.toString(), H5F_ACC_RDWR())) {
            for (Hdf5Inventory.Dataset scalar : inventory.scalars()) {
                file.unlink(scalar.path());
            }
        }
        return copy;
    }
}
