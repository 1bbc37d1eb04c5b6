package dev.kickoff.api.http;

import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.limit.RateLimitDecision;
import dev.kickoff.core.limit.RateLimitedException;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.TriggerAdmission;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.FilterContinuation;
import io.micronaut.web.router.RouteAttributes;

/**
 * The execute limit, around every {@link ExecuteLimited} route: authenticate the token (it is what is counted;
 * a missing or invalid one is a 401 and not counted, except that a token revoked since this instance last saw it
 * may bump its own dead counter), count the request, and put the window's numbers on whatever the endpoint
 * answers, errors included. A refusal is a 429 in the caller's shape with {@code Retry-After}. The decision stays
 * in this method; parked on the request are its principal and, once the instance knows which workflow the path
 * names, that workflow's head, read together with the token ({@link TriggerAdmission}, {@link TriggerHeads}).
 */
@ExecuteLimited
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ExecuteLimitFilter {
    private final Authenticator authenticator;
    private final TriggerAdmission admission;
    private final TriggerHeads heads;
    private final ErrorShapes shapes;
    private final RunObserver observer;

    ExecuteLimitFilter(Authenticator authenticator, TriggerAdmission admission, TriggerHeads heads,
                       ErrorShapes shapes, RunObserver observer) {
        this.authenticator = authenticator;
        this.admission = admission;
        this.heads = heads;
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
            TriggerAdmission.Admitted admitted = admission.admit(authenticator.presented(request),
                    Permission.WORKFLOWS_EXECUTE, heads.workflowId(request));
            authenticator.authenticated(request, admitted.principal());
            TriggerHeads.attach(request, admitted.head());
            decision = admitted.decision();
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
