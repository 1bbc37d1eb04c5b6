package dev.kickoff.core.error;

/**
 * Why a request was refused. Each API shape renders a reason in its own error format and may map it to its
 * own status code (seed 003 answers an unpublished workflow with 400 INVALID_STATUS, seed 000 with 404);
 * {@link #status()} is the canonical API's choice.
 */
public enum Reason {
    MALFORMED_JSON(400),
    INVALID_REQUEST(400),
    UNAUTHENTICATED(401),
    WRONG_SCOPE(403),
    NOT_FOUND(404),
    WORKFLOW_NOT_FOUND(404),
    WORKFLOW_NOT_PUBLISHED(404),
    RUN_NOT_FOUND(404),
    CASE_NOT_FOUND(404),
    TOKEN_NOT_FOUND(404),
    WEBHOOK_NOT_FOUND(404),
    DELIVERY_NOT_FOUND(404),
    CONNECTION_NOT_FOUND(404),
    CONFLICT(409),
    IDEMPOTENCY_KEY_REUSED(409),
    PAYLOAD_TOO_LARGE(413),
    WORKFLOW_NOT_TRIGGERABLE(422),
    NOT_A_CASE_WORKFLOW(422),
    UNSUPPORTED_BODY_KEY(422),
    INVALID_DEFINITION(422),
    VALIDATION_FAILED(422),
    /** Seed 001: a case's attributes do not match its workflow's attribute schema (or are not an object). */
    ATTRIBUTES_VALIDATION_FAILED(422),
    /** A run's input broke its workflow's {@code inputSchema}. */
    INPUT_VALIDATION_FAILED(422),
    RATE_LIMITED(429),
    UNAVAILABLE(503);

    private final int status;

    Reason(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The reason as a stable machine-readable code, e.g. {@code workflow_not_found}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
