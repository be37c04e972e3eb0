package org.graft.backbone;

import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import java.nio.file.Path;
import java.util.List;

/** Recognises weights-only Keras files (the {@code save_weights} layout) of architectures Graft can build. */
final class KerasWeightsFiles {
    private KerasWeightsFiles() {
    }

    /** The architecture name, or null if the file is not a weights-only file Graft recognises. */
    static String recogniseArchitecture(Path h5) {
        Hdf5Archive archive;
        try {
            archive = new Hdf5Archive(h5.toString());
        } catch (RuntimeException e) {
            if (!NativeErrors.isNative(e)) {
                throw e;
            }
            return null; // not HDF5: the importer says so clearly
        }
        try {
            if (archive.hasAttribute("model_config")) {
                return null; // a full model: its own config says what it is
            }
            List<String> groups = archive.getGroups();
            boolean effnet = groups.contains("stem_conv") && groups.contains("block1a_dwconv")
                    && groups.contains("block7a_project_conv") && groups.contains("top_conv")
                    && !groups.contains("block7b_project_conv");
            if (!effnet) {
                return null;
            }
            return groups.contains("predictions") ? Architectures.EFFICIENTNET_B0 : Architectures.EFFICIENTNET_B0_NOTOP;
        } catch (RuntimeException e) {
            if (!NativeErrors.isNative(e)) {
                throw e;
            }
            return null; // unreadable groups: the importer reports the damage
        } finally {
            archive.close();
        }
    }
}
