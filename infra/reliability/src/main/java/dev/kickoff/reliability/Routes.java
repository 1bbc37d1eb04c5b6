package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the suite calls each documented operation without being told: the token its scope needs, real IDs for its path
 * (from {@link Fixtures}), and a valid body — written here for the operations whose schema cannot say what a valid
 * body is, synthesized from the schema for the rest. An operation the suite cannot call this way (a path parameter it
 * has no fixture for, a scope it does not know) is <em>unclassified</em>: the fuzz and tenancy phases fail on it until
 * it is added here, so a route added to docs/openapi.yaml is never silently left out.
 */
final class Routes {
    /** The scopes of the {@code api} bundle (README, "Scopes"); every other scope is a manage scope. */
    static final Set<String> API_SCOPES = Set.of("workflows:execute", "runs:read", "cases:write", "cases:read",
            "runs:control");
    static final Set<String> MANAGE_SCOPES = Set.of("workflows:read", "workflows:write", "tokens:read", "tokens:write",
            "webhooks:read", "webhooks:write", "connections:read", "connections:write", "runs:inspect", "runs:operate",
            "schedules:read", "schedules:write", "usage:read");

    /** Valid bodies for operations whose schema does not describe one. */
    static Map<String, String> bodies(String hookUrl) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("POST /api/external/v1/workflows/{workflowId}/runs", "{\"input\": {\"a\": 1}}");
        b.put("POST /api/v1/workflows/{workflowId}/run", "{\"input\": {\"a\": 1}}");
        b.put("POST /api/v1/workspaces/{workspaceId}/workflows/{workflowId}/trigger", "{\"trigger_payload\": {\"a\": 1}}");
        b.put("POST /workflows/{workflowId}/run", "{\"payload\": {\"a\": 1}}");
        b.put("POST /api/external/v1/workflows/{workflowId}/cases", "{\"subject\": \"s\", \"attributes\": {\"amount\": 5}}");
        b.put("POST /api/manage/v1/tokens", "{\"name\": \"n\", \"scope\": \"api\"}");
        b.put("POST /api/manage/v1/workflows", Fixtures.OPEN);
        b.put("PUT /api/manage/v1/workflows/{workflowId}", Fixtures.OPEN);
        b.put("POST /api/manage/v1/workflows/{workflowId}/publish", "{}");
        b.put("POST /api/manage/v1/webhooks", "{\"url\": \"" + hookUrl + "\", \"events\": [\"run.completed\"]}");
        b.put("POST /api/manage/v1/connections", Fixtures.connection("fuzzed"));
        b.put("PUT /api/manage/v1/connections/{connectionId}", "{\"name\": \"renamed\"}");
        // Paused: a schedule the suite makes never fires while it runs.
        b.put("POST /api/manage/v1/workflows/{workflowId}/schedules", Fixtures.SCHEDULE);
        b.put("PATCH /api/manage/v1/workflows/{workflowId}/schedules/{scheduleId}", "{\"status\": \"paused\"}");
        // A valid signal (the fixture run waits for none, so its own organization gets a 409 or 422, another one a 404).
        b.put("POST /api/external/v1/workflows/{workflowId}/runs/{runId}/signals", "{\"signal\": \"approved\", \"payload\": {}}");
        b.put("POST /api/manage/v1/runs/{runId}/signals", "{\"signal\": \"approved\", \"payload\": {}}");
        return b;
    }

    /** One operation as the suite calls it. */
    record Route(Contract.Operation op, String scope, boolean apiScope, String body, String problem) {
        boolean classified() {
            return problem == null;
        }
    }

    private Routes() {
    }

    static List<Route> classify(Contract contract, String hookUrl) {
        Map<String, String> bodies = bodies(hookUrl);
        List<Route> routes = new ArrayList<>();
        for (Contract.Operation op : contract.operations()) {
            List<String> problems = new ArrayList<>();
            for (String p : op.pathParams()) {
                if (!Fixtures.PARAMS.containsKey(p)) {
                    problems.add("no fixture for path parameter {" + p + "} (add it to Fixtures.PARAMS)");
                }
            }
            String scope = op.scope();
            if (!op.isPublic() && (scope == null || (!API_SCOPES.contains(scope) && !MANAGE_SCOPES.contains(scope)))) {
                problems.add("unknown scope " + scope + " (add it to Routes)");
            }
            String body = bodies.get(op.key());
            if (body == null && op.requestBody() != null) {
                JsonNode synthesized = synthesize(contract, op.requestBody(), 0);
                body = synthesized == null ? null : Json.write(synthesized);
            }
            routes.add(new Route(op, scope, scope != null && API_SCOPES.contains(scope), body,
                    problems.isEmpty() ? null : String.join("; ", problems)));
        }
        return routes;
    }

    /** A minimal instance of a schema: its required properties, first enum values, minimum sizes. */
    static JsonNode synthesize(Contract contract, JsonNode schema, int depth) {
        schema = contract == null ? schema : contract.resolve(schema);
        if (schema == null || depth > 8) {
            return null;
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(0);
        }
        if (schema.has("oneOf") || schema.has("anyOf")) {
            return synthesize(contract, schema.has("oneOf") ? schema.get("oneOf").get(0) : schema.get("anyOf").get(0), depth + 1);
        }
        JsonNode type = schema.get("type");
        String t = type == null ? "object" : type.isArray() ? type.get(0).asText() : type.asText();
        return switch (t) {
            case "object" -> {
                ObjectNode o = Json.object();
                for (JsonNode r : schema.path("required")) {
                    JsonNode v = synthesize(contract, schema.path("properties").path(r.asText()), depth + 1);
                    o.set(r.asText(), v == null ? Json.object() : v);
                }
                yield o;
            }
            case "array" -> {
                ArrayNode a = Json.array();
                for (int i = 0; i < schema.path("minItems").asInt(0); i++) {
                    JsonNode v = synthesize(contract, schema.path("items"), depth + 1);
                    a.add(v);
                }
                yield a;
            }
            case "integer", "number" -> Json.MAPPER.getNodeFactory().numberNode(Math.max(1, schema.path("minimum").asLong(1)));
            case "boolean" -> Json.MAPPER.getNodeFactory().booleanNode(true);
            case "null" -> Json.MAPPER.getNodeFactory().nullNode();
            default -> Json.MAPPER.getNodeFactory().textNode("x".repeat(Math.max(1, schema.path("minLength").asInt(1))));
        };
    }
}
