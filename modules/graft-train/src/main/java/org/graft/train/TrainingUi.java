package org.graft.train;

import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.graft.model.run.RunFolder;

import java.nio.file.Path;

/**
 * DL4J's live training UI, listening on one address (127.0.0.1 unless told otherwise): start it once, hand it to
 * the runs that should show in it ({@link TrainingJob.Builder#optUi}), close it when done. Each run records its
 * statistics to a file in its run folder ({@link RunFolder#UI_STATS}), which the server shows while training runs
 * and which {@code graft ui RUN} can show again later.
 */
public final class TrainingUi implements AutoCloseable {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9000;

    private final UIServer server;
    private final String url;

    private TrainingUi(UIServer server, String url) {
        this.server = server;
        this.url = url;
    }

    /** Starts the UI server on {@code host:port} only (not every interface, as DL4J's own does). */
    public static TrainingUi start(String host, int port) {
        return new TrainingUi(LoopbackUiServer.start(host, port), "http://" + host + ":" + port + "/train/overview");
    }

    /** Shows the statistics recorded in {@code file} (a finished run's, or one being written). */
    public StatsStorage show(Path file) {
        StatsStorage storage = storage(file);
        server.attach(storage);
        return storage;
    }

    /** Statistics recorded to (or read from) {@code file}, shown by no server yet. */
    static StatsStorage storage(Path file) {
        return new FileStatsStorage(file.toFile());
    }

    /** A listener that records into {@code storage} every {@code frequency} iterations (every iteration: 5x slower). */
    static StatsListener recorder(StatsStorage storage, int frequency) {
        return new StatsListener(storage, frequency);
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // best effort on shutdown: the process is about to end
        }
    }
}
