package dev.kickoff.api.minimal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.CanonicalErrorShape;
import dev.kickoff.api.http.ErrorShape;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import jakarta.inject.Singleton;

/**
 * Seed 004 documents no error format; its success body is {@code {"data": {…}}} with upper-case enum values, so
 * errors are {@code {"error": {"code": "NOT_FOUND", "message": "…", "details": [{"path": "/x", "message": …}]}}}
 * with the usual statuses (401, 404, 400 for a body or payload that fails validation, 409, 413, 429).
 */
@Singleton
public final class MinimalErrorShape implements ErrorShape {
    public static final String PREFIX = "/workflows/";

    @Override
    public String pathPrefix() {
        return PREFIX;
    }

    @Override
    public String credentialHint() {
        return "send the X-API-KEY header";
    }

    @Override
    public int status(KickoffException e) {
        return switch (e.reason()) {
            case INPUT_VALIDATION_FAILED, UNSUPPORTED_BODY_KEY, WORKFLOW_NOT_PUBLISHED, WORKFLOW_NOT_TRIGGERABLE -> 400;
            default -> CanonicalErrorShape.status(e.reason());
        };
    }

    @Override
    public ObjectNode body(KickoffException e) {
        String code = switch (e.reason()) {
            case UNAUTHENTICATED -> "UNAUTHORIZED";
            case WORKFLOW_NOT_FOUND, RUN_NOT_FOUND -> "NOT_FOUND";
            case MALFORMED_JSON -> "INVALID_JSON";
            case INVALID_REQUEST, INPUT_VALIDATION_FAILED, UNSUPPORTED_BODY_KEY -> "VALIDATION_ERROR";
            default -> e.reason().name();
        };
        String message = switch (e.reason()) {
            case WORKFLOW_NOT_FOUND -> "Workflow not found";
            case RUN_NOT_FOUND -> "Execution not found";
            default -> e.getMessage();
        };
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (!e.details().isEmpty()) {
            ArrayNode details = error.putArray("details");
            for (FieldError f : e.details()) {
                details.addObject().put("path", f.path()).put("message", f.message());
            }
        }
        return body;
    }
}
