package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A curl stand-in: real HTTP to the local stack's port. */
final class LocalHttp {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    LocalHttp(String base) {
        this.base = base;
    }

    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            return Json.parse(body);
        }
    }

    Response send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    /** Polls a run URL until the run reaches a terminal status (the seed's polling loop). */
    JsonNode awaitRun(String url, String token) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = send("GET", url, token, null).json().get("workflow_run");
            String status = run.get("status").asText();
            if (status.equals("completed") || status.equals("failed")) {
                return run;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("run did not finish: " + url);
    }
}
