package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook endpoint on loopback, as customers run them: it verifies every request with the Standard Webhooks
 * library (as README, "Verifying a webhook" tells customers to) and records it. Its {@link Mode} decides how it
 * answers: always 2xx, 5xx half the time, hanging past Kickoff's 10 s timeout, or down (connection refused) until
 * {@link #up()}.
 */
final class Receiver implements AutoCloseable {
    enum Mode { OK, FLAKY, HANG, DOWN }

    /** One request as it arrived: who, when, whether its signature verified, and what it answered. */
    record Reception(Instant at, String webhookId, String timestamp, boolean validSignature, String verifyError,
                     String eventId, String type, JsonNode data, String createdAt, int attemptHere, int answered) {
        boolean succeeded() {
            return answered >= 200 && answered < 300;
        }
    }

    final String name;
    final Mode mode;
    private final long seed;
    private final Duration hang;
    private final int guaranteedAttempt;
    private final List<Reception> receptions = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private volatile String secret;
    private volatile HttpServer server;
    private int port;

    /**
     * @param hang              how long a HANG receiver waits before answering a delivery's first attempt
     * @param guaranteedAttempt a FLAKY receiver answers 2xx from this attempt of a delivery on (the schedule's last),
     *                          so that "every event delivered" can hold while half of all requests fail
     */
    Receiver(String name, Mode mode, long seed, Duration hang, int guaranteedAttempt) throws IOException {
        this.name = name;
        this.mode = mode;
        this.seed = seed;
        this.hang = hang;
        this.guaranteedAttempt = guaranteedAttempt;
        this.port = 0;
        if (mode != Mode.DOWN) {
            up();
        } else {
            // take a free port now and release it: the URL must be known before the endpoint exists
            try (var probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
        }
    }

    static Receiver ok(String name) throws IOException {
        return new Receiver(name, Mode.OK, 0, Duration.ZERO, 1);
    }

    synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
                s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
                s.createContext("/", this::handle);
                s.start();
                server = s;
                port = s.getAddress().getPort();
                return;
            } catch (java.net.BindException e) {
                last = e;
                sleep(200);
            }
        }
        throw last;
    }

    /** Stops listening: the next deliveries find the connection refused. */
    synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    void secret(String whsec) {
        this.secret = whsec;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hooks/" + name;
    }

    List<Reception> receptions() {
        synchronized (receptions) {
            return List.copyOf(receptions);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String body = new String(bytes, StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            String id = first(headers, "webhook-id");
            String error = null;
            try {
                String s = secret;
                if (s == null) {
                    error = "no secret known yet";
                } else {
                    new Webhook(s).verify(body, headers);
                }
            } catch (Exception e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            int attempt = attempts.computeIfAbsent(id == null ? "" : id, k -> new AtomicInteger()).incrementAndGet();
            int status = switch (mode) {
                case OK, DOWN -> 204;
                case FLAKY -> attempt >= guaranteedAttempt || !fails(id, attempt) ? 204 : 500 + (attempt % 4);
                case HANG -> attempt == 1 ? -1 : 204;
            };
            JsonNode event = Json.read(body);
            Reception r = new Reception(Instant.now(), id, first(headers, "webhook-timestamp"), error == null, error,
                    event.path("id").asText(null), event.path("type").asText(null), event.path("data"),
                    event.path("created_at").asText(null), attempt,
                    status < 0 ? 0 : status);
            receptions.add(r);
            if (status < 0) {
                sleep(hang.toMillis());
                status = 204;
            }
            if (status == 204) {
                exchange.sendResponseHeaders(204, -1);
            } else {
                byte[] out = "{\"error\":\"flaky receiver\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, out.length);
                exchange.getResponseBody().write(out);
            }
        }
    }

    /** Half of the attempts fail, decided by the seed, the delivery and the attempt: the same on a replay. */
    boolean fails(String webhookId, int attempt) {
        long h = seed * 0x9E3779B97F4A7C15L + (webhookId == null ? 0 : webhookId.hashCode()) * 31L + attempt;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h & 1) == 1;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        down();
    }
}
