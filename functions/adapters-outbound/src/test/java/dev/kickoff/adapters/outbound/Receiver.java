package dev.kickoff.adapters.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import dev.kickoff.core.json.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A webhook receiver on loopback: records every request per path and answers with the statuses scripted for
 * that path (then 200). A path can also hang until the receiver is closed.
 */
final class Receiver implements AutoCloseable {
    record Hit(String path, Map<String, List<String>> headers, String body, long receivedAtNanos) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }

        JsonNode json() {
            return Json.parse(body);
        }

        /** Verifies the signature with the Standard Webhooks library, as a receiver would. */
        boolean verifies(String secret) {
            try {
                new Webhook(secret).verify(body, headers);
                return true;
            } catch (Exception e) {
                return false;
            }
        }
    }

    private final HttpServer server;
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            hits.add(new Hit(path, Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime()));
            if (hanging.containsKey(path)) {
                try {
                    closed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            Integer scripted = scripts.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
            int status = scripted == null ? 200 : scripted;
            byte[] answer = ("{\"received\":true,\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests to {@code path} are answered with these statuses, in order; then 200. */
    void script(String path, Integer... statuses) {
        scripts.computeIfAbsent(path, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    void hang(String path) {
        hanging.put(path, true);
    }

    List<Hit> hits(String path) {
        List<Hit> out = new ArrayList<>();
        for (Hit h : hits) {
            if (h.path().equals(path)) {
                out.add(h);
            }
        }
        return out;
    }

    /** Waits until {@code path} has at least {@code count} requests; returns them. */
    List<Hit> await(String path, int count, Duration timeout) {
        return awaitHits(path, h -> h.size() >= count, timeout);
    }

    List<Hit> awaitHits(String path, Predicate<List<Hit>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Hit> current = hits(path);
            if (done.test(current)) {
                return current;
            }
            sleep(25);
        }
        throw new AssertionError("timed out waiting on " + path + "; got " + hits(path).size() + " request(s)");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
