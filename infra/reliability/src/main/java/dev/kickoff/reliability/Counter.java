package dev.kickoff.reliability;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The loopback counter an {@code http} step calls: it answers 200 and records each request's
 * {@code Idempotency-Key} (Kickoff sends {@code <run id>-<step id>}) and the tag in its body, so the suite can tell a
 * step performed once from one performed twice.
 */
final class Counter implements AutoCloseable {
    record Hit(Instant at, String idempotencyKey, String tag) {
    }

    private final HttpServer server;
    private final List<Hit> hits = Collections.synchronizedList(new ArrayList<>());

    Counter() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                hits.add(new Hit(Instant.now(), exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                        Json.read(body).path("tag").asText(null)));
                byte[] out = "{\"counted\":true}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/count";
    }

    List<Hit> hits() {
        synchronized (hits) {
            return List.copyOf(hits);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
