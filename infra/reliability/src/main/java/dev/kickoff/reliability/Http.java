package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A client of the stack's API over real HTTP, as a customer's code would be: a connection pool, a timeout per
 * request, and a failure to connect (the stack is down) as an answer with status -1 rather than an exception.
 */
final class Http {
    /** An answer; {@code status} -1 means no answer at all (connection refused or reset, timeout). */
    record Answer(int status, HttpHeaders headers, String body, long nanos, String failure) {
        JsonNode json() {
            return Json.read(body);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String header(String name) {
            return headers == null ? null : headers.firstValue(name).orElse(null);
        }

        double millis() {
            return nanos / 1e6;
        }

        @Override
        public String toString() {
            return status < 0 ? "no answer (" + failure + ")" : status + " " + (body == null ? "" : body.length() > 300
                    ? body.substring(0, 300) + "…" : body);
        }
    }

    private final HttpClient client;
    private final String base;
    private final Duration timeout;

    Http(String base) {
        this(base, Duration.ofSeconds(30));
    }

    Http(String base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    String base() {
        return base;
    }

    HttpRequest request(String method, String path, String token, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null && (headers == null || headers.keySet().stream().noneMatch("content-type"::equalsIgnoreCase))) {
            b.header("Content-Type", "application/json");
        }
        if (headers != null) {
            headers.forEach(b::header);
        }
        return b.build();
    }

    Answer send(String method, String path, String token, String body) {
        return send(method, path, token, body, Map.of());
    }

    Answer send(String method, String path, String token, String body, Map<String, String> headers) {
        HttpRequest request = request(method, path, token, body, headers);
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers(), r.body(), System.nanoTime() - start, null);
        } catch (IOException e) {
            return new Answer(-1, null, null, System.nanoTime() - start, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, null, null, System.nanoTime() - start, "interrupted");
        }
    }

    CompletableFuture<Answer> sendAsync(HttpRequest request) {
        long start = System.nanoTime();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((r, e) -> r != null ? new Answer(r.statusCode(), r.headers(), r.body(), System.nanoTime() - start, null)
                        : new Answer(-1, null, null, System.nanoTime() - start, e.getClass().getSimpleName() + ": "
                        + e.getMessage()));
    }

    /** A request that must succeed (setup): its answer, or an exception naming what came back. */
    JsonNode expect(int status, String method, String path, String token, String body) {
        Answer a = send(method, path, token, body);
        if (a.status() != status) {
            throw new IllegalStateException(method + " " + path + " answered " + a + ", expected " + status);
        }
        return a.json();
    }
}
