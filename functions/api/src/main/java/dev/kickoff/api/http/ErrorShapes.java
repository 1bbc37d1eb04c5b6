package dev.kickoff.api.http;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.limit.RateLimitedException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;

import java.util.Comparator;
import java.util.List;

/**
 * Picks the error shape for a request path from the shapes the context holds: the longest prefix wins (the
 * canonical shape's is empty, so it answers for everything no other shape claims).
 */
@Singleton
public final class ErrorShapes {
    private final List<ErrorShape> longestFirst;

    public ErrorShapes(List<ErrorShape> shapes) {
        this.longestFirst = shapes.stream()
                .sorted(Comparator.comparingInt((ErrorShape s) -> s.pathPrefix().length()).reversed()).toList();
    }

    public ErrorShape forPath(String path) {
        for (ErrorShape shape : longestFirst) {
            if (path.startsWith(shape.pathPrefix())) {
                return shape;
            }
        }
        throw new IllegalStateException("no error shape for " + path + "; the canonical shape claims every path");
    }

    /** The refusal as the shape of {@code path} writes it, with the headers that belong to it. */
    public MutableHttpResponse<String> render(String path, KickoffException e) {
        ErrorShape shape = forPath(path);
        MutableHttpResponse<String> response = HttpResponse.<String>status(HttpStatus.valueOf(shape.status(e)))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(Json.write(shape.body(e)));
        if (e instanceof RateLimitedException limited) {
            RateLimitHeaders.add(response, limited.decision());
        }
        if (e instanceof dev.kickoff.core.usage.QuotaExceededException quota) {
            // Until the month ends (UTC): a client that honours Retry-After does not hammer a quota that cannot move.
            long seconds = Math.max(1, java.time.Duration.between(java.time.Instant.now(), quota.resetAt()).toSeconds());
            response.header("Retry-After", Long.toString(seconds));
        }
        return response;
    }
}
