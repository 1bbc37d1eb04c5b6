package dev.kickoff.core.limit;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of counting one request against its token's limit, as numbers: the API edge turns them into the
 * headers each answer carries ({@code RateLimit-*}, {@code Retry-After}).
 */
public record RateLimitDecision(boolean allowed, int limit, long remaining, Instant resetAt, Instant now) {

    /** Requests left in the window, never negative. */
    public long remainingOrZero() {
        return Math.max(0, remaining);
    }

    /** Whole seconds until the window resets, at least 1. */
    public long resetSeconds() {
        long millis = Duration.between(now, resetAt).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    /** Seconds a refused client should wait before trying again; 0 when the request was allowed. */
    public long retryAfterSeconds() {
        return allowed ? 0 : resetSeconds();
    }

    /** The window's length in seconds. */
    public long windowSeconds() {
        return ExecuteRateLimiter.WINDOW.toSeconds();
    }
}
