package org.graft.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.graft.common.AtomicFiles;
import org.graft.common.GraftException;
import org.graft.common.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A trained classifier on disk: one zip that DL4J's {@code ModelSerializer} reads as a ComputationGraph, with an
 * extra entry {@code graft-model.json} ({@link ModelDescription}). One file to copy, and nothing in it is Java
 * serialization.
 */
public record ModelBundle(ComputationGraph graph, ModelDescription description) {
    public static final String DESCRIPTION_ENTRY = "graft-model.json";
    /** The bundle's file name inside a run folder. */
    public static final String FILE_NAME = "model.zip";

    /** Writes the bundle atomically. */
    public void save(Path zip) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(description);
        Path dl4j = Files.createTempFile(zip.toAbsolutePath().getParent(), ".dl4j-", ".zip");
        try {
            ModelSerializer.writeModel(graph, dl4j.toFile(), false);
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
            throw new GraftException("No model at " + runOrZip.toAbsolutePath()
                    + (Files.isDirectory(runOrZip) ? " (the folder has no " + FILE_NAME + ")" : ""),
                    "Give a run folder made by 'graft train' (e.g. runs/demo) or its model.zip.");
        }
        return zip;
    }

    /** Reads only the description (fast; no network weights). */
    public static ModelDescription readDescription(Path runOrZip) {
        Path zip = resolve(runOrZip);
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            ZipEntry entry = zf.getEntry(DESCRIPTION_ENTRY);
            if (entry == null) {
                throw new GraftException(zip + " is not a Graft model (no " + DESCRIPTION_ENTRY + " inside).",
                        "Use a model.zip written by 'graft train'.");
            }
            try (InputStream in = zf.getInputStream(entry)) {
                ModelDescription d = Json.mapper().readValue(in, ModelDescription.class);
                if (d.formatVersion() > ModelDescription.FORMAT_VERSION) {
                    throw new GraftException(zip + " was written by a newer Graft (format " + d.formatVersion()
                            + ").", "Update Graft to read it.");
                }
                return d;
            }
        } catch (java.util.zip.ZipException e) {
            throw new GraftException(zip + " is not a readable zip file: " + e.getMessage(),
                    "The file may be truncated or damaged; copy or train it again.", e);
        } catch (IOException e) {
            throw new GraftException("Could not read " + zip + ": " + e.getMessage(), null, e);
        }
    }

    /** Loads description and network. */
    public static ModelBundle load(Path runOrZip) {
        ModelDescription description = readDescription(runOrZip);
        Path zip = resolve(runOrZip);
        try {
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
            return new ModelBundle(graph, description);
        } catch (IOException | RuntimeException e) {
            throw new GraftException("Could not load the network in " + zip + ": " + e.getMessage(),
                    "The file may be damaged; train again or restore it from a copy.", e);
        }
    }
}
