package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.workspace.WorkspaceIds;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The five public API shapes as their clients call them (seeds 000–004): how a run or case is requested, with which
 * header the token goes, where an idempotency key goes, and where the new run's (or case's) ID is in the answer.
 */
enum Shape {
    /** Seed 000: {@code POST /api/external/v1/workflows/{id}/runs}, 201. */
    CANONICAL,
    /** Seed 003: {@code POST /api/v1/workflows/wf_{id}/run} with {@code x-api-key}, 201. */
    V1,
    /** Seed 002: {@code POST /api/v1/workspaces/{uuid}/workflows/{uuid}/trigger}, 200. */
    WORKSPACE,
    /** Seed 004: {@code POST /workflows/{id}/run} with {@code X-API-KEY}, 200. */
    MINIMAL,
    /** Seed 001: {@code POST /api/external/v1/workflows/{id}/cases}, 201 (not counted by the execute limit). */
    CASE;

    /** The request's path. */
    String path(long org, long workflow) {
        return switch (this) {
            case CANONICAL -> "/api/external/v1/workflows/" + workflow + "/runs";
            case V1 -> "/api/v1/workflows/wf_" + workflow + "/run";
            case WORKSPACE -> "/api/v1/workspaces/" + WorkspaceIds.encode(WorkspaceIds.Kind.WORKSPACE, org)
                    + "/workflows/" + WorkspaceIds.encode(WorkspaceIds.Kind.WORKFLOW, workflow) + "/trigger";
            case MINIMAL -> "/workflows/" + workflow + "/run";
            case CASE -> "/api/external/v1/workflows/" + workflow + "/cases";
        };
    }

    /** The request's body for this input (a case's attributes), with the key in the body where the shape allows. */
    String body(JsonNode input, String tag, String keyInBody) {
        ObjectNode body = Json.object();
        switch (this) {
            case CANONICAL -> body.set("input", input);
            case V1 -> {
                body.set("input", input);
                if (keyInBody != null) {
                    body.put("idempotencyKey", keyInBody);
                }
            }
            case WORKSPACE -> body.set("trigger_payload", input);
            case MINIMAL -> body.set("payload", input);
            case CASE -> {
                body.put("subject", "case " + tag);
                body.set("attributes", input);
            }
        }
        return Json.write(body);
    }

    /** Headers: the token as the shape's seed sends it, and the idempotency key header. */
    Map<String, String> headers(String token, String keyInHeader) {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (this) {
            case V1 -> headers.put("x-api-key", token);
            case MINIMAL -> headers.put("X-API-KEY", token);
            default -> headers.put("Authorization", "Bearer " + token);
        }
        if (keyInHeader != null) {
            headers.put("Idempotency-Key", keyInHeader);
        }
        return headers;
    }

    /** The status a success answers with. */
    int success() {
        return this == WORKSPACE || this == MINIMAL ? 200 : 201;
    }

    boolean executeLimited() {
        return this != CASE;
    }

    /** The new run's ID (a case's ID for {@link #CASE}) in a success answer, or null. */
    Long id(JsonNode answer) {
        try {
            return switch (this) {
                case CANONICAL -> answer.path("workflow_run").path("id").asLong();
                case V1 -> strip(answer.path("data").path("runId").asText(), "run_");
                case WORKSPACE -> WorkspaceIds.decode(answer.path("id").asText(), WorkspaceIds.Kind.RUN);
                case MINIMAL -> strip(answer.path("data").path("execution_id").asText(), "exec_");
                case CASE -> answer.path("case").path("id").asLong();
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long strip(String id, String prefix) {
        return Long.parseLong(id.startsWith(prefix) ? id.substring(prefix.length()) : id);
    }

    /** Sends one request of this shape. */
    Http.Answer send(Http http, long org, long workflow, String token, JsonNode input, String tag, String key,
                     boolean keyInBody) {
        return http.send("POST", path(org, workflow), null, body(input, tag, keyInBody ? key : null),
                headers(token, keyInBody ? null : key));
    }
}
