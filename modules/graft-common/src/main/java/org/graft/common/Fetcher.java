package org.graft.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a downloadable {@link Artifact} locally or fetches it, always verifying its checksum.
 *
 * <p>Order: (1) the cache directory, (2) the mirror directory (the {@code GRAFT_MIRROR} setting, for machines
 * without internet: a folder holding copies of the official files), (3) the official URL. A file that fails its
 * checksum is never used.
 */
public final class Fetcher {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);
    /** Environment variable naming an offline mirror directory. */
    public static final String MIRROR_ENV = "GRAFT_MIRROR";

    private final Path cacheDir;
    private final Path mirrorDir;
    private final boolean offline;
    private final HttpClient http;

    private Fetcher(Builder b) {
        this.cacheDir = b.cacheDir;
        this.mirrorDir = b.mirrorDir;
        this.offline = b.offline;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public Optional<Path> mirrorDir() {
        return Optional.ofNullable(mirrorDir);
    }

    /** Where the artifact lives once fetched. */
    public Path cachedPath(Artifact a) {
        return cacheDir.resolve(a.fileName());
    }

    /** Returns a local, verified copy of the artifact, fetching it if needed. */
    public Path fetch(Artifact a) {
        Path cached = cachedPath(a);
        if (Files.isRegularFile(cached)) {
            if (a.checksum() == null || a.checksum().equals(Checksums.hash(cached, a.checksumAlgorithm()))) {
                return cached;
            }
            log.warn("{} does not match its checksum; fetching it again", cached);
        }
        Optional<Path> fromMirror = findInMirror(a);
        if (fromMirror.isPresent()) {
            Path src = fromMirror.get();
            verify(a, src, "the mirror copy " + src);
            // The mirror is read-only material: use it in place rather than copying large files around.
            log.info("Using {} from mirror {}", a.fileName(), src);
            return src;
        }
        if (offline) {
            throw notFound(a, "downloads are switched off (offline)");
        }
        return download(a, cached);
    }

    /** Candidate locations of the artifact in the mirror directory. */
    public List<Path> mirrorCandidates(Artifact a) {
        List<Path> out = new ArrayList<>();
        if (mirrorDir != null) {
            for (String rel : a.mirrorPaths()) {
                out.add(mirrorDir.resolve(rel));
            }
            out.add(mirrorDir.resolve(a.fileName()));
        }
        return out;
    }

    private Optional<Path> findInMirror(Artifact a) {
        return mirrorCandidates(a).stream().filter(Files::isRegularFile).findFirst();
    }

    private Path download(Artifact a, Path target) {
        log.info("Downloading {} from {}", a.fileName(), a.url());
        try {
            Files.createDirectories(cacheDir);
            Path part = target.resolveSibling(target.getFileName() + ".part");
            HttpRequest request = HttpRequest.newBuilder(URI.create(a.url()))
                    .timeout(Duration.ofMinutes(30)).GET().build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw notFound(a, "the server answered HTTP " + response.statusCode());
            }
            try (InputStream in = response.body()) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(part);
                if (AtomicFiles.isDiskFull(e)) {
                    throw new EnvironmentException("The disk is full while downloading " + a.fileName() + " into "
                            + cacheDir, "Free some space and run again.", e);
                }
                throw e;
            }
            verify(a, part, "the download from " + a.url());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
            throw notFound(a, "no connection to " + URI.create(a.url()).getHost() + ": "
                    + e.getClass().getSimpleName());
        } catch (IOException e) {
            throw notFound(a, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notFound(a, "interrupted");
        }
    }

    private static void verify(Artifact a, Path file, String what) {
        if (a.checksum() == null) {
            log.warn("{} has no published checksum; using {} unverified (sha256 {})", a.fileName(), file,
                    Checksums.sha256(file));
            return;
        }
        String actual = Checksums.hash(file, a.checksumAlgorithm());
        if (!a.checksum().equals(actual)) {
            throw new DamagedFileException("Checksum mismatch for " + what + ": expected " + a.checksumAlgorithm() + " "
                    + a.checksum() + " but got " + actual,
                    "The file is damaged or not the official one. Delete it and fetch it again.");
        }
    }

    private DownloadException notFound(Artifact a, String reason) {
        StringBuilder hint = new StringBuilder("Download it yourself from " + a.url() + " and put it at "
                + cachedPath(a) + ", or set " + MIRROR_ENV + " to a folder that holds it");
        if (!a.mirrorPaths().isEmpty()) {
            hint.append(" as ").append(String.join(" or ", a.mirrorPaths()));
        }
        if (mirrorDir != null) {
            hint.append(". Looked in the mirror at: ").append(mirrorCandidates(a));
        }
        return new DownloadException("Could not get " + a.fileName() + " (" + reason + ").", hint + ".");
    }

    /** Builder: {@code setCacheDir} is required; the rest is optional. */
    public static final class Builder {
        private Path cacheDir;
        private Path mirrorDir;
        private boolean offline;

        public Builder setCacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** A folder searched before any download (null for none). */
        public Builder optMirrorDir(Path dir) {
            this.mirrorDir = dir;
            return this;
        }

        /** Takes the mirror from the {@code GRAFT_MIRROR} environment variable, if set. */
        public Builder optMirrorFromEnvironment() {
            String env = System.getenv(MIRROR_ENV);
            if (env != null && !env.isBlank()) {
                Path dir = Path.of(env);
                if (!Files.isDirectory(dir)) {
                    throw new BadOptionException(MIRROR_ENV + " points at " + dir.toAbsolutePath()
                            + ", which is not a folder.", "Set it to a folder holding the downloads, or unset it.");
                }
                this.mirrorDir = dir;
            }
            return this;
        }

        /** Never touch the network (tests). */
        public Builder optOffline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public Fetcher build() {
            if (cacheDir == null) {
                throw new IllegalStateException("setCacheDir is required");
            }
            return new Fetcher(this);
        }
    }
}
