package dev.kickoff.api.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Adds the {@code RateLimit-*} headers to every response of a request that was counted against an execute limit
 * (see {@link TriggerEdge}), whether the endpoint answered with a run or with an error.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class RateLimitHeaders {
    @ResponseFilter
    public void addHeaders(HttpRequest<?> request, MutableHttpResponse<?> response) {
        TriggerEdge.copyHeaders(request, response);
    }
}
