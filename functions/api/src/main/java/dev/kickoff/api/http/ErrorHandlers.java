package dev.kickoff.api.http;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves as JSON in the caller's API shape. Refusals from the core keep their reason; routing
 * problems (unknown path, wrong method, unreadable body) become the matching refusal; anything unexpected is a
 * 500 that says nothing about internals, while the log line carries the stack trace.
 */
@Controller
public class ErrorHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandlers.class);

    @Error(global = true, exception = KickoffException.class)
    public MutableHttpResponse<String> refused(HttpRequest<?> request, KickoffException e) {
        return render(request, e);
    }

    @Error(global = true, status = HttpStatus.NOT_FOUND)
    public MutableHttpResponse<String> notFound(HttpRequest<?> request) {
        return render(request, new KickoffException(Reason.NOT_FOUND,
                "no such endpoint: " + request.getMethodName() + " " + request.getPath()));
    }

    @Error(global = true, status = HttpStatus.METHOD_NOT_ALLOWED)
    public MutableHttpResponse<String> methodNotAllowed(HttpRequest<?> request) {
        return render(request, new KickoffException(Reason.NOT_FOUND,
                "no such endpoint: " + request.getMethodName() + " " + request.getPath()));
    }

    @Error(global = true, exception = UnsatisfiedRouteException.class)
    public MutableHttpResponse<String> unsatisfied(HttpRequest<?> request, UnsatisfiedRouteException e) {
        return render(request, new KickoffException(Reason.INVALID_REQUEST, e.getMessage()));
    }

    @Error(global = true, exception = HttpStatusException.class)
    public MutableHttpResponse<String> status(HttpRequest<?> request, HttpStatusException e) {
        Reason reason = switch (e.getStatus()) {
            case NOT_FOUND, METHOD_NOT_ALLOWED -> Reason.NOT_FOUND;
            case REQUEST_ENTITY_TOO_LARGE -> Reason.PAYLOAD_TOO_LARGE;
            case UNAUTHORIZED -> Reason.UNAUTHENTICATED;
            default -> e.getStatus().getCode() < 500 ? Reason.INVALID_REQUEST : null;
        };
        if (reason == null) {
            return unexpected(request, e);
        }
        return render(request, new KickoffException(reason, e.getMessage()));
    }

    @Error(global = true, exception = Throwable.class)
    public MutableHttpResponse<String> unexpected(HttpRequest<?> request, Throwable e) {
        LOG.error("unhandled error on {} {}", request.getMethodName(), request.getPath(), e);
        MutableHttpResponse<String> response = render(request, new KickoffException(Reason.UNAVAILABLE,
                "internal error; the request may be retried"));
        return response.status(HttpStatus.INTERNAL_SERVER_ERROR);
    }

    static MutableHttpResponse<String> render(HttpRequest<?> request, KickoffException e) {
        ErrorShape shape = ErrorShapes.forPath(request.getPath());
        MutableHttpResponse<String> response = HttpResponse.<String>status(HttpStatus.valueOf(shape.status(e)))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(Json.write(shape.body(e)));
        e.headers().forEach(response::header);
        return response;
    }
}
