package dev.kickoff.api.workspace;

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

/**
 * Seed 002 documents a FastAPI service, so its errors are FastAPI's: {@code {"detail": "Workflow not found"}},
 * and for a request that fails validation, 422 with pydantic-style items
 * {@code {"detail": [{"type": "missing", "loc": ["body", "trigger_payload", "customerId"], "msg": "Field required"}]}}.
 */
@Singleton
public final class WorkspaceErrorShape implements ErrorShape {
    public static final String PREFIX = "/api/v1/workspaces/";

    @Override
    public String pathPrefix() {
        return PREFIX;
    }

    @Override
    public int status(KickoffException e) {
        return switch (e.reason()) {
            case MALFORMED_JSON, INPUT_VALIDATION_FAILED -> 422;
            case INVALID_REQUEST, UNSUPPORTED_BODY_KEY -> e.details().isEmpty() ? 400 : 422;
            case WORKFLOW_NOT_PUBLISHED, WORKFLOW_NOT_TRIGGERABLE -> 400;
            default -> CanonicalErrorShape.status(e.reason());
        };
    }

    @Override
    public ObjectNode body(KickoffException e) {
        ObjectNode body = Json.object();
        switch (e.reason()) {
            case MALFORMED_JSON -> {
                ObjectNode item = body.putArray("detail").addObject();
                item.put("type", "json_invalid");
                item.putArray("loc").add("body");
                item.put("msg", "JSON decode error");
                item.putObject("ctx").put("error", e.getMessage());
                return body;
            }
            case WORKFLOW_NOT_FOUND -> {
                return body.put("detail", "Workflow not found");
            }
            case RUN_NOT_FOUND -> {
                return body.put("detail", "Workflow run not found");
            }
            default -> {
            }
        }
        if (e instanceof InputValidationException invalid) {
            ArrayNode detail = body.putArray("detail");
            for (SchemaFinding f : invalid.findings()) {
                ObjectNode item = detail.addObject();
                item.put("type", type(f));
                ArrayNode loc = item.putArray("loc").add("body").add("trigger_payload");
                f.path().forEach(s -> {
                    if (s instanceof Integer n) {
                        loc.add(n);
                    } else {
                        loc.add(String.valueOf(s));
                    }
                });
                item.put("msg", message(f));
                if (f.value() != null) {
                    item.set("input", f.value());
                }
            }
            return body;
        }
        if (!e.details().isEmpty()) {
            ArrayNode detail = body.putArray("detail");
            for (FieldError f : e.details()) {
                ObjectNode item = detail.addObject();
                item.put("type", "value_error");
                ArrayNode loc = item.putArray("loc").add("body");
                Ids.segments(f.path()).forEach(loc::add);
                item.put("msg", f.message());
            }
            return body;
        }
        body.put("detail", e.getMessage());
        if (e.reason() == dev.kickoff.core.error.Reason.QUOTA_EXCEEDED) {
            body.put("code", "QUOTA_EXCEEDED");  // a machine-readable code beside FastAPI's detail, which stays a string
        }
        return body;
    }

    /** pydantic's error type names where one fits, else the JSON Schema keyword. */
    private static String type(SchemaFinding f) {
        return switch (f.keyword()) {
            case "required" -> "missing";
            case "type" -> switch (expected(f.keywordValue())) {
                case "string" -> "string_type";
                case "integer" -> "int_type";
                case "number" -> "float_type";
                case "boolean" -> "bool_type";
                case "object" -> "dict_type";
                case "array" -> "list_type";
                default -> "type_error";
            };
            case "enum" -> "enum";
            case "minimum" -> "greater_than_equal";
            case "maximum" -> "less_than_equal";
            case "exclusiveMinimum" -> "greater_than";
            case "exclusiveMaximum" -> "less_than";
            case "minLength" -> "string_too_short";
            case "maxLength" -> "string_too_long";
            case "pattern" -> "string_pattern_mismatch";
            case "additionalProperties", "unevaluatedProperties" -> "extra_forbidden";
            default -> f.keyword();
        };
    }

    private static String message(SchemaFinding f) {
        JsonNode kv = f.keywordValue();
        return switch (type(f)) {
            case "missing" -> "Field required";
            case "string_type" -> "Input should be a valid string";
            case "int_type" -> "Input should be a valid integer";
            case "float_type" -> "Input should be a valid number";
            case "bool_type" -> "Input should be a valid boolean";
            case "dict_type" -> "Input should be a valid dictionary";
            case "list_type" -> "Input should be a valid list";
            case "greater_than_equal" -> "Input should be greater than or equal to " + kv;
            case "less_than_equal" -> "Input should be less than or equal to " + kv;
            case "greater_than" -> "Input should be greater than " + kv;
            case "less_than" -> "Input should be less than " + kv;
            case "string_too_short" -> "String should have at least " + kv + " characters";
            case "string_too_long" -> "String should have at most " + kv + " characters";
            case "string_pattern_mismatch" -> "String should match pattern '" + (kv == null ? "" : kv.asText()) + "'";
            case "extra_forbidden" -> "Extra inputs are not permitted";
            default -> f.violation().message();
        };
    }

    private static String expected(JsonNode type) {
        return type != null && type.isTextual() ? type.textValue() : "";
    }
}
