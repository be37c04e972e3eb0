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

    public static Path fixture(String name) {
        try {
            return Path.of(TinyBackbone.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test fixture " + name + " missing", e);
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
