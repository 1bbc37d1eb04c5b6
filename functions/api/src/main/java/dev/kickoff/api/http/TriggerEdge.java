package dev.kickoff.api.http;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.limit.RateLimitDecision;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;

/**
 * What every endpoint that starts runs does first, whatever its API shape: authenticate the token, count the request
 * against the token's execute limit (answering 429 when it is spent), and remember the decision so that every
 * response of the endpoint, errors included, carries the {@code RateLimit-*} headers ({@link RateLimitHeaders}).
 */
@Singleton
public final class TriggerEdge {
    /** Stripe's and the IETF draft's header; accepted on every shape, alongside seed 003's body field. */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    /** Set on an answer that returns the run an earlier request with the same key created. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    static final String DECISION_ATTRIBUTE = "kickoff.rateLimit";

    private final ApiRequests requests;
    private final ExecuteRateLimiter limits;

    public TriggerEdge(ApiRequests requests, ExecuteRateLimiter limits) {
        this.requests = requests;
        this.limits = limits;
    }

    /** The caller, once authenticated and within its execute limit. */
    public Principal authorize(HttpRequest<?> request) {
        Principal principal = requests.authenticate(request, Scope.API);
        try {
            request.setAttribute(DECISION_ATTRIBUTE, limits.acquire(principal));
        } catch (KickoffException e) {
            if (e.reason() == Reason.RATE_LIMITED) {
                request.setAttribute(DECISION_ATTRIBUTE, e.headers());
                PowertoolsRunObserver.count("ExecuteRateLimited", 1);
            }
            throw e;
        }
        return principal;
    }

    /**
     * The request's idempotency key: the {@code Idempotency-Key} header, or {@code bodyKey} (seed 003's
     * {@code idempotencyKey}); both may be sent only if they agree.
     */
    public static String idempotencyKey(HttpRequest<?> request, String bodyKey) {
        String header = request.getHeaders().get(IDEMPOTENCY_KEY_HEADER);
        if (header != null && bodyKey != null && !header.equals(bodyKey)) {
            throw new KickoffException(Reason.INVALID_REQUEST, "the " + IDEMPOTENCY_KEY_HEADER
                    + " header and the body's idempotencyKey differ; send one of them");
        }
        return header != null ? header : bodyKey;
    }

    /** Marks a response as a replay when the run was created by an earlier request. */
    public static <T> MutableHttpResponse<T> replayed(MutableHttpResponse<T> response, boolean replayed) {
        if (!replayed) {
            return response;
        }
        PowertoolsRunObserver.count("IdempotentReplays", 1);
        return response.header(REPLAYED_HEADER, "true");
    }

    static void copyHeaders(HttpRequest<?> request, MutableHttpResponse<?> response) {
        Object decision = request.getAttribute(DECISION_ATTRIBUTE).orElse(null);
        if (decision instanceof RateLimitDecision d) {
            d.headers().forEach(response::header);
        } else if (decision instanceof java.util.Map<?, ?> headers) {
            headers.forEach((k, v) -> {
                if (!response.getHeaders().contains(k.toString())) {
                    response.header(k.toString(), v.toString());
                }
            });
        }
    }
}
