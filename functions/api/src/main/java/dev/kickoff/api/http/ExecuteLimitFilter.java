package dev.kickoff.api.http;

import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.limit.RateLimitDecision;
import dev.kickoff.core.limit.RateLimitedException;
import dev.kickoff.core.port.RunObserver;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.FilterContinuation;
import io.micronaut.web.router.RouteAttributes;

/**
 * The execute limit, around every {@link ExecuteLimited} route: authenticate the token (it is what is counted;
 * a missing or invalid one is a 401 and not counted), count the request, and put the window's numbers on
 * whatever the endpoint answers, errors included. A refusal is a 429 in the caller's shape with
 * {@code Retry-After}. The decision stays in this method: nothing is parked on the request but its principal.
 */
@ExecuteLimited
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ExecuteLimitFilter {
    private final Authenticator authenticator;
    private final ExecuteRateLimiter limits;
    private final ErrorShapes shapes;
    private final RunObserver observer;

    ExecuteLimitFilter(Authenticator authenticator, ExecuteRateLimiter limits, ErrorShapes shapes,
                       RunObserver observer) {
        this.authenticator = authenticator;
        this.limits = limits;
        this.shapes = shapes;
        this.observer = observer;
    }

    @RequestFilter
    MutableHttpResponse<?> limit(HttpRequest<?> request, FilterContinuation<MutableHttpResponse<?>> next) {
        // The matcher selects routes by annotation; a request that matched no route at all (a 404 or 405 on its
        // way) still passes filters, and is not an execute request.
        boolean limited = RouteAttributes.getRouteMatch(request)
                .filter(m -> m.getRouteInfo().getAnnotationMetadata().hasAnnotation(ExecuteLimited.class)).isPresent();
        if (!limited) {
            return next.proceed();
        }
        RateLimitDecision decision;
        try {
            Principal principal = authenticator.authenticate(request, Permission.WORKFLOWS_EXECUTE);
            decision = limits.acquire(principal);
        } catch (RateLimitedException e) {
            observer.count("ExecuteRateLimited", 1);
            return shapes.render(request.getPath(), e);
        } catch (KickoffException e) {
            return shapes.render(request.getPath(), e);
        }
        MutableHttpResponse<?> response = next.proceed();
        RateLimitHeaders.add(response, decision);
        return response;
    }
}
