package org.graft.train;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.deeplearning4j.ui.VertxUIServer;
import org.graft.common.EnvironmentException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * DL4J's training UI server, listening on one address only (127.0.0.1 by default) instead of every interface.
 *
 * <p>DL4J 1.0.0-M2.1 creates its HTTP server with Vert.x defaults (all interfaces) and offers no setting. Graft
 * deploys the same {@link VertxUIServer} verticle itself, handing it a Vert.x whose {@code createHttpServer()}
 * uses {@code HttpServerOptions.setHost(host)}; everything else is DL4J's.
 */
final class LoopbackUiServer {
    private LoopbackUiServer() {
    }

    static VertxUIServer start(String host, int port) {
        Vertx vertx = Vertx.vertx();
        VertxUIServer server = new VertxUIServer() {
            @Override
            public void init(Vertx real, Context context) {
                super.init(bound(real, host, port), context);
            }
        };
        CompletableFuture<String> deployed = new CompletableFuture<>();
        vertx.deployVerticle(server, result -> {
            if (result.succeeded()) {
                deployed.complete(result.result());
            } else {
                deployed.completeExceptionally(result.cause());
            }
        });
        try {
            deployed.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new EnvironmentException("Could not start the training UI on " + host + ":" + port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
                    "Another program (or another graft) may be using the port; stop it, choose --ui-port, or run "
                            + "without --ui.", e);
        }
        return server;
    }

    /**
     * The same HTTP server, except that {@code listen(port, handler)} (which in Vert.x 3 means all interfaces, on
     * the port DL4J read from a system property or its default) listens on {@code host:port}. Fluent calls return
     * the wrapper, so a chained {@code listen} is caught too.
     */
    private static HttpServer boundServer(HttpServer real, String host, int port) {
        return (HttpServer) Proxy.newProxyInstance(LoopbackUiServer.class.getClassLoader(),
                new Class<?>[]{HttpServer.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        if (method.getName().equals("listen") && args != null && args.length == 2
                                && args[0] instanceof Integer && args[1] instanceof Handler<?> handler) {
                            @SuppressWarnings({"unchecked", "rawtypes"})
                            Object r = real.listen(port, host, (Handler) handler);
                            result = r;
                        } else {
                            result = method.invoke(real, args);
                        }
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    return result == real ? proxy : result;
                });
    }

    /** The same Vert.x, except that HTTP servers listen on {@code host:port} only. */
    private static Vertx bound(Vertx real, String host, int port) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = real.getClass(); c != null; c = c.getSuperclass()) {
            interfaces.addAll(java.util.List.of(c.getInterfaces()));
        }
        return (Vertx) Proxy.newProxyInstance(LoopbackUiServer.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new), (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer") && (args == null || args.length == 0)) {
                        return boundServer(real.createHttpServer(new HttpServerOptions().setHost(host)), host, port);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
