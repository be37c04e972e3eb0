package org.graft.common;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One place that configures Jackson the way every Graft JSON file is written and read. */
public final class Json {
    private Json() {
    }

    /** A new mapper: pretty printed, tolerant of fields added by newer Graft versions. */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Writes {@code value} as JSON, atomically (a half-written file never replaces a good one). */
    public static void write(Path file, Object value) {
        try {
            AtomicFiles.write(file, mapper().writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    public static <T> T read(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            throw new BadOptionException("File not found: " + file, null);
        }
        try {
            return mapper().readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new DamagedFileException("Could not read " + file + ": " + e.getMessage(),
                    "The file may be damaged or from an incompatible Graft version; regenerate it.", e);
        }
    }
}
