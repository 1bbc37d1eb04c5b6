package dev.kickoff.core.error;

import java.util.List;
import java.util.Map;

/** A refusal the caller can act on: carries a reason, a human message, and where relevant each problem found. */
public class KickoffException extends RuntimeException {
    private final Reason reason;
    private final List<FieldError> details;
    private final Map<String, String> headers;

    public KickoffException(Reason reason, String message) {
        this(reason, message, List.of(), Map.of());
    }

    public KickoffException(Reason reason, String message, List<FieldError> details) {
        this(reason, message, details, Map.of());
    }

    public KickoffException(Reason reason, String message, List<FieldError> details, Map<String, String> headers) {
        super(message, null, false, false);
        this.reason = reason;
        this.details = List.copyOf(details);
        this.headers = Map.copyOf(headers);
    }

    public Reason reason() {
        return reason;
    }

    public List<FieldError> details() {
        return details;
    }

    /** Response headers that belong with this refusal (e.g. Retry-After on a rate limit). */
    public Map<String, String> headers() {
        return headers;
    }
}
