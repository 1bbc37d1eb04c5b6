package dev.kickoff.api.v1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.CanonicalErrorShape;
import dev.kickoff.api.http.ErrorShape;
import dev.kickoff.api.http.Ids;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.InputValidationException;
import dev.kickoff.core.schema.SchemaFinding;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seed 003's errors: {@code {"success": false, "error": {"code", "message", "details"?}}}, with the seed's codes
 * and statuses (400 VALIDATION_ERROR and INVALID_STATUS, 404 NOT_FOUND, 429 RATE_LIMITED) and Zod-style
 * {@code details}: {@code [{"path": ["customerId"], "message": "Required"}]}. Everything under {@code /api/v1/}
 * answers in this shape except the workspace API ({@code /api/v1/workspaces/}, a longer prefix).
 */
@Singleton
public final class V1ErrorShape implements ErrorShape {
    public static final String PREFIX = "/api/v1/";

    @Override
    public String pathPrefix() {
        return PREFIX;
    }

    @Override
    public String credentialHint() {
        return "send the x-api-key header";
    }

    record Rendering(int status, String code, String message) {
    }

    static Rendering rendering(KickoffException e) {
        String message = e.getMessage();
        return switch (e.reason()) {
            case MALFORMED_JSON -> new Rendering(400, "INVALID_JSON", message);
            case INVALID_REQUEST, UNSUPPORTED_BODY_KEY -> new Rendering(400, "VALIDATION_ERROR", message);
            case INPUT_VALIDATION_FAILED -> new Rendering(400, "VALIDATION_ERROR", InputValidationException.MESSAGE);
            case UNAUTHENTICATED -> new Rendering(401, "UNAUTHORIZED", message);
            case WRONG_SCOPE -> new Rendering(403, "FORBIDDEN", message);
            case WORKFLOW_NOT_FOUND -> new Rendering(404, "NOT_FOUND", "Workflow not found");
            case RUN_NOT_FOUND -> new Rendering(404, "NOT_FOUND", "Run not found");
            // An unpublished workflow is a draft: the seed's "active" is Kickoff's "published".
            case WORKFLOW_NOT_PUBLISHED -> new Rendering(400, "INVALID_STATUS",
                    "Workflow must be active to run. Current status: draft");
            case WORKFLOW_NOT_TRIGGERABLE -> new Rendering(400, "INVALID_TRIGGER", message);
            case IDEMPOTENCY_KEY_REUSED -> new Rendering(409, "IDEMPOTENCY_KEY_REUSED", message);
            case CONFLICT -> new Rendering(409, "CONFLICT", message);
            case PAYLOAD_TOO_LARGE -> new Rendering(413, "PAYLOAD_TOO_LARGE", message);
            case UNSUPPORTED_MEDIA_TYPE -> new Rendering(415, "UNSUPPORTED_MEDIA_TYPE", message);
            case INVALID_DEFINITION -> new Rendering(422, "INVALID_DEFINITION", message);
            case RATE_LIMITED -> new Rendering(429, "RATE_LIMITED", message);
            case UNAVAILABLE -> new Rendering(503, "SERVICE_UNAVAILABLE", message);
            default -> new Rendering(CanonicalErrorShape.status(e.reason()), e.reason().name(), message);
        };
    }

    @Override
    public int status(KickoffException e) {
        return rendering(e).status();
    }

    @Override
    public ObjectNode body(KickoffException e) {
        Rendering r = rendering(e);
        ObjectNode body = Json.object();
        body.put("success", false);
        ObjectNode error = body.putObject("error");
        error.put("code", r.code());
        error.put("message", r.message());
        if (e instanceof InputValidationException invalid) {
            ArrayNode details = error.putArray("details");
            for (SchemaFinding f : invalid.findings()) {
                ObjectNode d = details.addObject();
                path(d.putArray("path"), f.path());
                d.put("message", zodMessage(f));
            }
        } else if (!e.details().isEmpty()) {
            ArrayNode details = error.putArray("details");
            for (FieldError f : e.details()) {
                ObjectNode d = details.addObject();
                path(d.putArray("path"), new ArrayList<>(Ids.segments(f.path())));
                d.put("message", f.message());
            }
        }
        return body;
    }

    private static void path(ArrayNode out, List<?> segments) {
        for (Object s : segments) {
            if (s instanceof Integer n) {
                out.add(n);
            } else {
                out.add(String.valueOf(s));
            }
        }
    }

    /** Zod's wording, which the seed's {@code "message": "Required"} comes from. */
    static String zodMessage(SchemaFinding f) {
        JsonNode kv = f.keywordValue();
        String limit = kv == null ? "" : kv.asText();
        return switch (f.keyword()) {
            case "required" -> "Required";
            case "type" -> "Expected " + expected(kv) + ", received " + received(f.value());
            case "enum" -> "Invalid enum value. Expected " + options(kv) + ", received " + quoted(f.value());
            case "const" -> "Invalid literal value, expected " + quoted(kv);
            case "minimum" -> "Number must be greater than or equal to " + limit;
            case "exclusiveMinimum" -> "Number must be greater than " + limit;
            case "maximum" -> "Number must be less than or equal to " + limit;
            case "exclusiveMaximum" -> "Number must be less than " + limit;
            case "multipleOf" -> "Number must be a multiple of " + limit;
            case "minLength" -> "String must contain at least " + limit + " character(s)";
            case "maxLength" -> "String must contain at most " + limit + " character(s)";
            case "minItems" -> "Array must contain at least " + limit + " element(s)";
            case "maxItems" -> "Array must contain at most " + limit + " element(s)";
            case "pattern" -> "Invalid string: must match pattern /" + limit + "/";
            case "format" -> "Invalid " + limit;
            case "additionalProperties", "unevaluatedProperties" -> "Unrecognized key: '"
                    + (f.path().isEmpty() ? "" : f.path().getLast()) + "'";
            default -> capitalize(withoutLocation(f.violation().message()));
        };
    }

    private static String expected(JsonNode type) {
        if (type == null) {
            return "a different type";
        }
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(t.asText()));
            return String.join(" | ", names);
        }
        return type.asText();
    }

    static String received(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "undefined";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        return value.isArray() ? "array" : "object";
    }

    private static String options(JsonNode values) {
        if (values == null || !values.isArray()) {
            return String.valueOf(values);
        }
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(quoted(v)));
        return String.join(" | ", out);
    }

    private static String quoted(JsonNode v) {
        if (v == null) {
            return "undefined";
        }
        return v.isTextual() ? "'" + v.textValue() + "'" : v.toString();
    }

    private static String withoutLocation(String message) {
        if (message.startsWith("value at `")) {
            int end = message.indexOf("` ", 10);
            if (end > 0) {
                String rest = message.substring(end + 2);
                return rest.startsWith(": ") ? rest.substring(2) : rest;
            }
        }
        return message;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}
