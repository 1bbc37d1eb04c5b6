package dev.kickoff.core.error;

import java.util.List;

/**
 * A refusal the caller can act on: carries a reason, a human message, and where relevant each problem found.
 * How it reads over HTTP (status, headers, body) is the API edge's business, per API shape.
 */
public class KickoffException extends RuntimeException {
    private final Reason reason;
    private final List<FieldError> details;

    public KickoffException(Reason reason, String message) {
        this(reason, message, List.of());
    }

    public KickoffException(Reason reason, String message, List<FieldError> details) {
        super(message, null, false, false);
        this.reason = reason;
        this.details = List.copyOf(details);
    }

    public Reason reason() {
        return reason;
    }

    public List<FieldError> details() {
        return details;
    }
}
