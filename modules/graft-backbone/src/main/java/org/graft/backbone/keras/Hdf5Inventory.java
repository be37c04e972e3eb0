package org.graft.backbone.keras;

import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.javacpp.BytePointer;
import org.graft.common.DamagedFileException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;

/**
 * Every dataset of an HDF5 file with its shape, found by a walk that a hostile file cannot make endless (HDF5
 * links may form cycles) or deep. DL4J's Keras importer allocates one Java array per dataset from the shape the
 * file declares, so {@link #requireFitsFile} checks the shapes against the file's size before DL4J reads any.
 */
public record Hdf5Inventory(Path file, List<Dataset> datasets) {
    /** Keras nests weights a few groups deep (model_weights/layer/layer/kernel:0). */
    private static final int MAX_DEPTH = 16;
    private static final int MAX_OBJECTS = 100_000;
    /** Keras stores weights uncompressed; this leaves room for compressed ones without allowing absurd claims. */
    private static final long MAX_EXPANSION = 64;

    /** A dataset's path inside the file and its shape (empty for a scalar). */
    public record Dataset(String path, long[] dims) {
        public long elements() {
            long n = 1;
            for (long d : dims) {
                n = d < 0 || (d > 0 && n > Long.MAX_VALUE / d) ? Long.MAX_VALUE : n * d;
            }
            return n;
        }
    }

    public Hdf5Inventory {
        datasets = List.copyOf(datasets);
    }

    /** Walks the file's groups from the root. */
    public static Hdf5Inventory of(Path h5) {
        List<Dataset> found = new ArrayList<>();
        try (H5File file = new H5File(h5.toString(), H5F_ACC_RDONLY()); Group root = file.openGroup("/")) {
            walk(h5, root, "", 0, found, new int[]{0});
        }
        return new Hdf5Inventory(h5, found);
    }

    private static void walk(Path h5, Group group, String path, int depth, List<Dataset> found, int[] visited) {
        if (depth > MAX_DEPTH) {
            throw damaged(h5, "its groups nest more than " + MAX_DEPTH + " deep (or link back to themselves)");
        }
        long n = group.getNumObjs();
        List<String> names = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            if (++visited[0] > MAX_OBJECTS) {
                throw damaged(h5, "it claims more than " + MAX_OBJECTS + " objects");
            }
            try (BytePointer name = group.getObjnameByIdx(i)) {
                names.add(name.getString());
            }
        }
        for (String name : names) {
            int type = group.childObjType(name);
            if (type == H5O_TYPE_GROUP) {
                try (Group child = group.openGroup(name)) {
                    walk(h5, child, path + "/" + name, depth + 1, found, visited);
                }
            } else if (type == H5O_TYPE_DATASET) {
                try (DataSet ds = group.openDataSet(name); DataSpace space = ds.getSpace()) {
                    int rank = space.getSimpleExtentNdims();
                    long[] dims = new long[Math.max(0, Math.min(rank, 32))];
                    if (rank > 32) {
                        throw damaged(h5, "its dataset " + path + "/" + name + " has " + rank + " dimensions");
                    }
                    if (rank > 0) {
                        space.getSimpleExtentDims(dims);
                    }
                    found.add(new Dataset(path + "/" + name, dims));
                }
            }
        }
    }

    /** The scalar (rank-0) datasets, which DL4J cannot read. */
    public List<Dataset> scalars() {
        return datasets.stream().filter(d -> d.dims().length == 0).toList();
    }

    /**
     * Refuses a file whose datasets claim more values than its bytes could hold (or than a Java array takes): a
     * damaged header, which DL4J would otherwise turn into an enormous or negative allocation.
     */
    public void requireFitsFile(long fileBytes) {
        for (Dataset d : datasets) {
            long elements = d.elements();
            if (elements > Integer.MAX_VALUE - 8 || elements > MAX_EXPANSION * Math.max(fileBytes, 1)) {
                throw damaged(file, "its dataset " + d.path() + " claims " + (elements == Long.MAX_VALUE ? "more than "
                        + Long.MAX_VALUE : elements) + " values in a file of " + fileBytes + " bytes");
            }
        }
    }

    private static DamagedFileException damaged(Path h5, String what) {
        return new DamagedFileException(h5 + " is damaged: " + what + ".",
                "Copy or save the model again (model.save('model.h5')).");
    }
}
