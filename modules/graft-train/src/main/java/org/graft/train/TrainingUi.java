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

    /** Starts the UI server on 127.0.0.1:9000 and attaches the run's statistics file. */
    public static TrainingUi start(Path runDir) {
        return start(runDir, "127.0.0.1", PORT);
    }

    /** Starts the UI server on {@code host:port} only (not every interface) and attaches the run's statistics. */
    public static TrainingUi start(Path runDir, String host, int port) {
        StatsStorage storage = new FileStatsStorage(runDir.resolve(STATS_FILE).toFile());
        UIServer server = serve(host, port);
        server.attach(storage);
        return new TrainingUi(storage, "http://" + host + ":" + port + "/train/overview");
    }

    /** The UI server for this process (one per process: DL4J keeps its pages' state globally). */
    public static synchronized UIServer serve(String host, int port) {
        if (running == null) {
            running = LoopbackUiServer.start(host, port);
        }
        return running;
    }

    /** A listener that records statistics every {@code frequency} iterations (every iteration is 5x slower). */
    public StatsListener listener(int frequency) {
        return new StatsListener(storage, frequency);
    }

    public String url() {
        return url;
    }

    public static synchronized void stop() {
        if (running != null) {
            try {
                running.stop();
            } catch (Exception e) {
                // best effort on shutdown
            }
            running = null;
        }
    }

    private static UIServer running;
}
