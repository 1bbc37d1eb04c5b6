package dev.kickoff.worker;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An HTTP API on a loopback port for the steps that act: records every request (headers, body, when), and answers
 * each path with the answers scripted for it, in order, then {@code 200 {"ok": true, "path": …}}. An answer can run
 * a hook before it is sent (the worker waits for it meanwhile).
 */
final class TestTarget implements AutoCloseable {
    record Hit(String method, String path, String query, Map<String, List<String>> headers, String body, Instant at) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    record Answer(int status, Map<String, String> headers, String body, Runnable before) {
        static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body, null);
        }

        Answer with(String header, String value) {
            Map<String, String> h = new java.util.LinkedHashMap<>(headers);
            h.put(header, value);
            return new Answer(status, h, body, before);
        }

        Answer after(Runnable hook) {
            return new Answer(status, headers, body, hook);
        }
    }

    private final HttpServer server;
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<Answer>> scripts = new ConcurrentHashMap<>();

    TestTarget() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                hits.add(new Hit(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                        Map.copyOf(exchange.getRequestHeaders()), body, Instant.now()));
                Answer answer = scripts.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
                if (answer == null) {
                    answer = Answer.of(200, "{\"ok\": true, \"path\": \"" + path + "\"}");
                }
                if (answer.before() != null) {
                    answer.before().run();
                }
                byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    exchange.getResponseBody().write(bytes);
                }
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void script(String path, Answer... answers) {
        scripts.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(answers));
    }

    List<Hit> hits(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
