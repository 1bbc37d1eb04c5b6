package dev.kickoff.api.http;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves as JSON in the caller's API shape, chosen by {@link ErrorShapes} from the request's path.
 * Refusals from the core keep their reason; routing problems (unknown path, wrong method, an argument Micronaut
 * could not bind) become the matching refusal in Kickoff's own words, never Micronaut's or Jackson's; anything
 * unexpected is a 500 that says nothing about internals, while the log line carries the stack trace.
 */
@Controller
public class ErrorHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandlers.class);

    private final ErrorShapes shapes;

    public ErrorHandlers(ErrorShapes shapes) {
        this.shapes = shapes;
    }

    @Error(global = true, exception = KickoffException.class)
    public MutableHttpResponse<String> refused(HttpRequest<?> request, KickoffException e) {
        return shapes.render(request.getPath(), e);
    }

    @Error(global = true, status = HttpStatus.NOT_FOUND)
    public MutableHttpResponse<String> notFound(HttpRequest<?> request) {
        return shapes.render(request.getPath(), noSuchEndpoint(request));
    }

    @Error(global = true, status = HttpStatus.METHOD_NOT_ALLOWED)
    public MutableHttpResponse<String> methodNotAllowed(HttpRequest<?> request) {
        return shapes.render(request.getPath(), noSuchEndpoint(request));
    }

    @Error(global = true, exception = UnsatisfiedRouteException.class)
    public MutableHttpResponse<String> unsatisfied(HttpRequest<?> request, UnsatisfiedRouteException e) {
        return shapes.render(request.getPath(), new KickoffException(Reason.INVALID_REQUEST,
                "the request is missing " + e.getArgument().getName()));
    }

    @Error(global = true, exception = ConversionErrorException.class)
    public MutableHttpResponse<String> unconvertible(HttpRequest<?> request, ConversionErrorException e) {
        return shapes.render(request.getPath(), new KickoffException(Reason.INVALID_REQUEST,
                "the request's " + e.getArgument().getName() + " is not valid"));
    }

    @Error(global = true, exception = HttpStatusException.class)
    public MutableHttpResponse<String> status(HttpRequest<?> request, HttpStatusException e) {
        KickoffException refusal = switch (e.getStatus()) {
            case NOT_FOUND, METHOD_NOT_ALLOWED -> noSuchEndpoint(request);
            case REQUEST_ENTITY_TOO_LARGE -> new KickoffException(Reason.PAYLOAD_TOO_LARGE,
                    "the request body is larger than " + JsonBodyBinder.MAX_BODY_BYTES + " bytes");
            case UNSUPPORTED_MEDIA_TYPE -> new KickoffException(Reason.UNSUPPORTED_MEDIA_TYPE,
                    JsonBodyBinder.MEDIA_TYPE_MESSAGE);
            case UNAUTHORIZED -> new KickoffException(Reason.UNAUTHENTICATED, "missing or invalid API token");
            default -> e.getStatus().getCode() < 500
                    ? new KickoffException(Reason.INVALID_REQUEST, "the request could not be read") : null;
        };
        if (refusal == null) {
            return unexpected(request, e);
        }
        return shapes.render(request.getPath(), refusal);
    }

    @Error(global = true, exception = Throwable.class)
    public MutableHttpResponse<String> unexpected(HttpRequest<?> request, Throwable e) {
        LOG.error("unhandled error on {} {}", request.getMethodName(), request.getPath(), e);
        MutableHttpResponse<String> response = shapes.render(request.getPath(), new KickoffException(
                Reason.UNAVAILABLE, "internal error; the request may be retried"));
        return response.status(HttpStatus.INTERNAL_SERVER_ERROR);
    }

    private static KickoffException noSuchEndpoint(HttpRequest<?> request) {
        return new KickoffException(Reason.NOT_FOUND,
                "no such endpoint: " + request.getMethodName() + " " + request.getPath());
    }
}
