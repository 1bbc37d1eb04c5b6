package dev.kickoff.core.error;

/**
 * Why a request was refused. The core says why, never how that reads over HTTP: each API shape owns its own
 * table from reason to status code and error body (seed 003 answers an unpublished workflow with 400
 * INVALID_STATUS, seed 000 with 404), so no status lives here.
 */
public enum Reason {
    MALFORMED_JSON,
    INVALID_REQUEST,
    /** The body is of a media type (or charset) that is not JSON. */
    UNSUPPORTED_MEDIA_TYPE,
    UNAUTHENTICATED,
    WRONG_SCOPE,
    NOT_FOUND,
    WORKFLOW_NOT_FOUND,
    WORKFLOW_NOT_PUBLISHED,
    RUN_NOT_FOUND,
    CASE_NOT_FOUND,
    TOKEN_NOT_FOUND,
    WEBHOOK_NOT_FOUND,
    DELIVERY_NOT_FOUND,
    CONNECTION_NOT_FOUND,
    SCHEDULE_NOT_FOUND,
    CONFLICT,
    IDEMPOTENCY_KEY_REUSED,
    PAYLOAD_TOO_LARGE,
    WORKFLOW_NOT_TRIGGERABLE,
    NOT_A_CASE_WORKFLOW,
    UNSUPPORTED_BODY_KEY,
    INVALID_DEFINITION,
    VALIDATION_FAILED,
    /** Seed 001: a case's attributes do not match its workflow's attribute schema (or are not an object). */
    ATTRIBUTES_VALIDATION_FAILED,
    /** A run's input broke its workflow's {@code inputSchema}. */
    INPUT_VALIDATION_FAILED,
    RATE_LIMITED,
    /** The organization's monthly run quota is used up: no new run until the month ends. */
    QUOTA_EXCEEDED,
    UNAVAILABLE;

    /** The reason as a stable machine-readable code, e.g. {@code workflow_not_found}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
