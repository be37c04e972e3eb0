package org.graft.train;

import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.graft.common.GraftException;

import java.nio.file.Path;

/**
 * DL4J's live training UI: statistics go to a file in the run folder ({@value #STATS_FILE}), which the UI server
 * shows while training runs and which {@code graft ui RUN} can show again later.
 */
public final class TrainingUi {
    public static final String STATS_FILE = "ui-stats.dl4j";
    public static final int PORT = 9000;

    private final StatsStorage storage;
    private final String url;

    private TrainingUi(StatsStorage storage, String url) {
        this.storage = storage;
        this.url = url;
    }

    /** Starts (or reuses) the UI server and attaches the run's statistics file. */
    public static TrainingUi start(Path runDir) {
        StatsStorage storage = new FileStatsStorage(runDir.resolve(STATS_FILE).toFile());
        UIServer server;
        try {
            server = UIServer.getInstance();
        } catch (RuntimeException e) {
            throw new GraftException("Could not start the training UI on port " + PORT + ": " + e.getMessage(),
                    "Another program (or another graft) may be using the port; stop it or run without --ui.", e);
        }
        server.attach(storage);
        return new TrainingUi(storage, "http://127.0.0.1:" + server.getPort() + "/train/overview");
    }

    /** A listener that records statistics every {@code frequency} iterations (every iteration is 5x slower). */
    public StatsListener listener(int frequency) {
        return new StatsListener(storage, frequency);
    }

    public String url() {
        return url;
    }

    public static void stop() {
        try {
            UIServer.stopInstance();
        } catch (Exception e) {
            // best effort on shutdown
        }
    }
}
