package org.graft.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.graft.common.AtomicFiles;
import org.graft.common.BadOptionException;
import org.graft.common.DamagedFileException;
import org.graft.common.GraftException;
import org.graft.common.Json;
import org.graft.common.UnexpectedFailure;
import org.graft.common.UnsupportedModelException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A trained classifier on disk: one zip in the layout DL4J's {@code ModelSerializer} writes, with an extra entry
 * {@code graft-model.json} ({@link ModelDescription}). One file to copy. Reading never uses Java serialization
 * ({@link BundleEntries}), and a model is checked before it is handed out: its entries' checksums, its
 * description, and the description against the network ({@link BundleChecks}).
 */
public record ModelBundle(ComputationGraph graph, ModelDescription description) {
    public static final String DESCRIPTION_ENTRY = "graft-model.json";
    /** The bundle's file name inside a run folder. */
    public static final String FILE_NAME = "model.zip";

    /** Writes the bundle atomically (without the optimiser's state). */
    public void save(Path zip) throws IOException {
        save(zip, false);
    }

    /**
     * Writes the bundle atomically; with {@code withUpdater} the optimiser's state goes along (what a checkpoint
     * needs to continue training exactly where it stopped).
     */
    public void save(Path zip, boolean withUpdater) throws IOException {
        save(zip, withUpdater, Map.of());
    }

    /** As above, with further entries of the names {@link BundleEntries} knows (a checkpoint's state). */
    void save(Path zip, boolean withUpdater, Map<String, byte[]> extra) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(description);
        Path dl4j = Files.createTempFile(zip.toAbsolutePath().getParent(), ".dl4j-", ".zip");
        try {
            ModelSerializer.writeModel(graph, dl4j.toFile(), withUpdater);
            AtomicFiles.write(zip, out -> {
                ZipOutputStream zos = new ZipOutputStream(out);
                try (ZipFile src = new ZipFile(dl4j.toFile())) {
                    Enumeration<? extends ZipEntry> entries = src.entries();
                    while (entries.hasMoreElements()) {
                        ZipEntry e = entries.nextElement();
                        zos.putNextEntry(new ZipEntry(e.getName()));
                        try (InputStream in = src.getInputStream(e)) {
                            in.transferTo(zos);
                        }
                        zos.closeEntry();
                    }
                }
                zos.putNextEntry(new ZipEntry(DESCRIPTION_ENTRY));
                zos.write(json);
                zos.closeEntry();
                for (Map.Entry<String, byte[]> e : extra.entrySet()) {
                    zos.putNextEntry(new ZipEntry(e.getKey()));
                    zos.write(e.getValue());
                    zos.closeEntry();
                }
                zos.finish();
            });
        } finally {
            Files.deleteIfExists(dl4j);
        }
    }

    /** Resolves a run folder (holding model.zip) or a zip path to the bundle file. */
    public static Path resolve(Path runOrZip) {
        Path zip = Files.isDirectory(runOrZip) ? runOrZip.resolve(FILE_NAME) : runOrZip;
        if (!Files.isRegularFile(zip)) {
            throw new BadOptionException("No model at " + runOrZip.toAbsolutePath()
                    + (Files.isDirectory(runOrZip) ? " (the folder has no " + FILE_NAME + ")" : ""),
                    "Give a run folder made by 'graft train' (e.g. runs/demo) or its model.zip.");
        }
        return zip;
    }

    /** Reads only the description (fast; no network weights), checked as {@link BundleChecks#description} says. */
    public static ModelDescription readDescription(Path runOrZip) {
        Path zip = resolve(runOrZip);
        return BundleChecks.description(BundleEntries.read(zip, Set.of(DESCRIPTION_ENTRY)));
    }

    /** Loads description and network, without the optimiser's state. */
    public static ModelBundle load(Path runOrZip) {
        return load(runOrZip, false);
    }

    /**
     * Loads description and network; with {@code withUpdater} also the optimiser's state, where the file has it.
     * A damaged or foreign file is refused with a {@link GraftException}; anything else that goes wrong is a bug,
     * reported with the file's name.
     */
    public static ModelBundle load(Path runOrZip, boolean withUpdater) {
        return load(BundleEntries.read(resolve(runOrZip), Set.of()), withUpdater);
    }

    static ModelBundle load(BundleEntries entries, boolean withUpdater) {
        OneDnnHelpers.enable();
        Path zip = entries.file();
        ModelDescription description = BundleChecks.description(entries);
        try {
            ComputationGraph graph = BundleChecks.graph(entries, withUpdater);
            BundleChecks.agree(description, graph, zip);
            return new ModelBundle(graph, description);
        } catch (GraftException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UnexpectedFailure(zip.toString(), e);
        }
    }

    /** For messages that need to say a model is of a newer format. */
    static UnsupportedModelException newerFormat(Path zip, int version) {
        return new UnsupportedModelException(zip + " was written by a newer Graft (format " + version + ").",
                "Update Graft to read it.");
    }

    /** For messages about a description that does not hold what Graft writes. */
    static DamagedFileException badDescription(Path zip, String what) {
        return new DamagedFileException(zip + ": its " + DESCRIPTION_ENTRY + " " + what + ".",
                "Use the model.zip as 'graft train' wrote it; train again if it was edited or damaged.");
    }
}
