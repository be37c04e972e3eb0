package org.graft.common;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads against a local HTTP server on 127.0.0.1, and the mirror and cache, all with checksums. */
class FetcherTest {
    static final byte[] CONTENT = "pretend these are weights".getBytes(StandardCharsets.UTF_8);
    static final String SHA = Checksums.sha256(CONTENT);

    @TempDir
    Path tmp;
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();

    private String serve(byte[] body, int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/w.h5", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/w.h5";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void downloadsOnceVerifiesAndCaches() throws Exception {
        Artifact a = new Artifact("w.h5", serve(CONTENT, 200), SHA, List.of());
        Fetcher f = Fetcher.builder().setCacheDir(tmp.resolve("cache")).build();
        Path first = f.fetch(a);
        Path second = f.fetch(a);
        assertEquals(first, second);
        assertEquals(1, requests.get(), "the second fetch uses the cache");
        assertEquals(SHA, Checksums.sha256(first));
        assertFalse(Files.exists(first.resolveSibling("w.h5.part")), "no partial file left");
    }

    @Test
    void aDownloadWithTheWrongChecksumIsNotKept() throws Exception {
        Artifact a = new Artifact("w.h5", serve("tampered".getBytes(StandardCharsets.UTF_8), 200), SHA, List.of());
        Fetcher f = Fetcher.builder().setCacheDir(tmp.resolve("cache")).build();
        GraftException e = assertThrows(GraftException.class, () -> f.fetch(a));
        assertTrue(e.getMessage().contains("Checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("cache/w.h5")));
    }

    @Test
    void httpErrorSaysWhereToPutTheFile() throws Exception {
        Artifact a = new Artifact("w.h5", serve(CONTENT, 404), SHA, List.of("models/w.h5"));
        Fetcher f = Fetcher.builder().setCacheDir(tmp.resolve("cache")).build();
        GraftException e = assertThrows(GraftException.class, () -> f.fetch(a));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.hint().contains("GRAFT_MIRROR") && e.hint().contains(tmp.resolve("cache/w.h5").toString()),
                e.hint());
    }

    @Test
    void mirrorIsSearchedBeforeTheNetwork() throws Exception {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror.resolve("models"));
        Files.write(mirror.resolve("models/w.h5"), CONTENT);
        Artifact a = new Artifact("w.h5", serve(CONTENT, 200), SHA, List.of("models/w.h5"));
        Fetcher f = Fetcher.builder().setCacheDir(tmp.resolve("cache")).optMirrorDir(mirror).build();
        assertEquals(mirror.resolve("models/w.h5"), f.fetch(a));
        assertEquals(0, requests.get());
    }

    @Test
    void aDamagedMirrorCopyIsRefused() throws Exception {
        Path mirror = Files.createDirectories(tmp.resolve("mirror"));
        Files.writeString(mirror.resolve("w.h5"), "damaged");
        Artifact a = new Artifact("w.h5", "http://127.0.0.1:9/never", SHA, List.of());
        Fetcher f = Fetcher.builder().setCacheDir(tmp.resolve("cache")).optMirrorDir(mirror).optOffline(true).build();
        GraftException e = assertThrows(GraftException.class, () -> f.fetch(a));
        assertTrue(e.getMessage().contains("mirror copy"), e.getMessage());
    }

    @Test
    void offlineWithoutACopyExplainsTheMirror() {
        Artifact a = new Artifact("w.h5", "https://example.invalid/w.h5", SHA, List.of("models/w.h5"));
        Fetcher f = Fetcher.builder().setCacheDir(tmp.resolve("cache")).optOffline(true).build();
        GraftException e = assertThrows(GraftException.class, () -> f.fetch(a));
        assertTrue(e.hint().contains("https://example.invalid/w.h5"), e.hint());
    }
}
