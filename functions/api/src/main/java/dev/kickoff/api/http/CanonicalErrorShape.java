package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;

/**
 * Seeds 000 and 001, and the management API: {@code {"error": "<message>", "code": "<reason>"}}; refusals with
 * per-field problems use seed 001's validation shape,
 * {@code {"error": "<code>", "message": …, "validation_errors": [{"path": "/amount", "error": …}]}}.
 */
public final class CanonicalErrorShape implements ErrorShape {
    @Override
    public int status(KickoffException e) {
        return e.reason().status();
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
