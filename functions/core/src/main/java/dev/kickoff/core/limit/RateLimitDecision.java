package dev.kickoff.core.limit;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of counting one request against its token's limit, with the headers that tell the client where it
 * stands ({@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} in seconds, and
 * {@code Retry-After} when refused).
 */
public record RateLimitDecision(boolean allowed, int limit, long remaining, Instant resetAt, Instant now) {

    /** Whole seconds until the window resets, at least 1. */
    public long resetSeconds() {
        long millis = Duration.between(now, resetAt).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    public Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("RateLimit-Limit", Integer.toString(limit));
        headers.put("RateLimit-Remaining", Long.toString(Math.max(0, remaining)));
        headers.put("RateLimit-Reset", Long.toString(resetSeconds()));
        headers.put("RateLimit-Policy", limit + ";w=" + ExecuteRateLimiter.WINDOW.toSeconds());
        if (!allowed) {
            headers.put("Retry-After", Long.toString(resetSeconds()));
        }
        return headers;
    }
}
