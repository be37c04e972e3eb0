package org.graft.backbone;

import org.graft.common.Fetcher;
import org.graft.data.Preprocessing;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The tiny Keras fixture (made by fixtures/make_tiny_keras.py) as a backbone: a real Keras-format file, small
 * enough for fast tests in every module (shared through this module's test jar).
 */
public final class TinyBackbone {
    private TinyBackbone() {
    }

    /** A file of src/test/resources/fixtures; copied out first when this test jar is used from another module. */
    public static Path fixture(String name) {
        java.net.URL url = TinyBackbone.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("test fixture " + name + " missing");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            Path dir = java.nio.file.Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                    "graft-fixtures-" + ProcessHandle.current().pid()));
            Path copy = dir.resolve(name);
            try (java.io.InputStream in = url.openStream()) {
                java.nio.file.Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            copy.toFile().deleteOnExit();
            return copy;
        } catch (URISyntaxException | java.io.IOException e) {
            throw new IllegalStateException("test fixture " + name + " unreadable", e);
        }
    }

    public static Path file() {
        return fixture("tiny_keepdims.h5");
    }

    /** 32x32 input, Keras "tf" scaling. */
    public static Preprocessing preprocessing() {
        return Preprocessing.kerasTf(32, Preprocessing.Layout.NHWC);
    }

    public static Backbone load(Path cacheDir) {
        Fetcher fetcher = Fetcher.builder().setCacheDir(cacheDir).optOffline(true).build();
        return BackboneLoader.builder().setFetcher(fetcher).optPreprocessing(preprocessing()).build()
                .load(file().toString());
    }
}
