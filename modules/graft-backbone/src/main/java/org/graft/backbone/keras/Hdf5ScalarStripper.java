package org.graft.backbone.keras;

import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.javacpp.BytePointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDWR;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;

/**
 * DL4J cannot read rank-0 (scalar) datasets, such as Keras Normalization's {@code count}. This makes a temporary
 * copy of a weights file without them; the user's file is never modified.
 */
public final class Hdf5ScalarStripper {
    private Hdf5ScalarStripper() {
    }

    /** Paths (inside the file) of scalar datasets; empty if none. */
    public static List<String> scalarDatasets(Path h5) {
        List<String> found = new ArrayList<>();
        try (H5File file = new H5File(h5.toString(), org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY())) {
            try (Group root = file.openGroup("/")) {
                walk(root, "", found, false);
            }
        }
        return found;
    }

    /** A temporary copy without scalar datasets, or the file itself if it has none. */
    public static Path withoutScalars(Path h5) throws IOException {
        if (scalarDatasets(h5).isEmpty()) {
            return h5;
        }
        Path copy = Files.createTempFile("graft-weights-", ".h5");
        copy.toFile().deleteOnExit();
        Files.copy(h5, copy, StandardCopyOption.REPLACE_EXISTING);
        try (H5File file = new H5File(copy.toString(), H5F_ACC_RDWR())) {
            try (Group root = file.openGroup("/")) {
                walk(root, "", new ArrayList<>(), true);
            }
        }
        return copy;
    }

    private static void walk(Group group, String path, List<String> found, boolean delete) {
        long n = group.getNumObjs();
        List<String> names = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            try (BytePointer name = group.getObjnameByIdx(i)) {
                names.add(name.getString());
            }
        }
        for (String name : names) {
            int type = group.childObjType(name);
            if (type == H5O_TYPE_GROUP) {
                try (Group child = group.openGroup(name)) {
                    walk(child, path + "/" + name, found, delete);
                }
            } else if (type == H5O_TYPE_DATASET) {
                boolean scalar;
                try (DataSet ds = group.openDataSet(name); DataSpace space = ds.getSpace()) {
                    scalar = space.getSimpleExtentNdims() == 0;
                }
                if (scalar) {
                    found.add(path + "/" + name);
                    if (delete) {
                        group.unlink(name);
                    }
                }
            }
        }
    }
}
