package dev.kickoff.api.http;

import dev.kickoff.core.limit.RateLimitDecision;
import io.micronaut.http.MutableHttpResponse;

/**
 * The execute limit's numbers as response headers: {@code RateLimit-Limit}, {@code RateLimit-Remaining},
 * {@code RateLimit-Reset} (seconds), {@code RateLimit-Policy}, and {@code Retry-After} on a refusal.
 */
final class RateLimitHeaders {
    private RateLimitHeaders() {
    }

    static void add(MutableHttpResponse<?> response, RateLimitDecision d) {
        response.header("RateLimit-Limit", Integer.toString(d.limit()));
        response.header("RateLimit-Remaining", Long.toString(d.remainingOrZero()));
        response.header("RateLimit-Reset", Long.toString(d.resetSeconds()));
        response.header("RateLimit-Policy", d.limit() + ";w=" + d.windowSeconds());
        if (!d.allowed()) {
            response.header("Retry-After", Long.toString(d.retryAfterSeconds()));
        }
    }
}
