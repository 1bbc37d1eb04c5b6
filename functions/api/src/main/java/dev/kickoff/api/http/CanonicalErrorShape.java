package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import jakarta.inject.Singleton;

/**
 * Seeds 000 and 001, and the management API: {@code {"error": "<message>", "code": "<reason>"}}; refusals with
 * per-field problems use seed 001's validation shape,
 * {@code {"error": "<code>", "message": …, "validation_errors": [{"path": "/amount", "error": …}]}}. Its prefix
 * is empty: every path no other shape claims answers this way.
 */
@Singleton
public final class CanonicalErrorShape implements ErrorShape {
    @Override
    public String pathPrefix() {
        return "";
    }

    @Override
    public int status(KickoffException e) {
        return status(e.reason());
    }

    /** The canonical table, every reason: the other shapes start from it and change what their seed says. */
    public static int status(Reason reason) {
        return switch (reason) {
            case MALFORMED_JSON, INVALID_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case WRONG_SCOPE -> 403;
            case NOT_FOUND, WORKFLOW_NOT_FOUND, WORKFLOW_NOT_PUBLISHED, RUN_NOT_FOUND, CASE_NOT_FOUND,
                 TOKEN_NOT_FOUND, WEBHOOK_NOT_FOUND, DELIVERY_NOT_FOUND, CONNECTION_NOT_FOUND, SCHEDULE_NOT_FOUND -> 404;
            case CONFLICT, IDEMPOTENCY_KEY_REUSED -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case WORKFLOW_NOT_TRIGGERABLE, NOT_A_CASE_WORKFLOW, UNSUPPORTED_BODY_KEY, INVALID_DEFINITION,
                 VALIDATION_FAILED, ATTRIBUTES_VALIDATION_FAILED, INPUT_VALIDATION_FAILED -> 422;
            case RATE_LIMITED, QUOTA_EXCEEDED -> 429;
            case UNAVAILABLE -> 503;
        };
    }

    @Override
    public ObjectNode body(KickoffException e) {
        ObjectNode body = Json.object();
        if (e.details().isEmpty()) {
            body.put("error", e.getMessage());
            body.put("code", e.reason().code());
            return body;
        }
        body.put("error", e.reason().code());
        body.put("message", e.getMessage());
        ArrayNode errors = body.putArray("validation_errors");
        for (FieldError f : e.details()) {
            errors.addObject().put("path", f.path()).put("error", f.message());
        }
        return body;
    }
}
