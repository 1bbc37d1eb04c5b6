package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.workspace.WorkspaceIds;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * One organization with one resource of every kind a documented path names — a published workflow, a direct case
 * workflow, a finished run, a case, a spare token, a webhook with a delivery — so any operation of the contract can be
 * called with real IDs: the fuzzer's targets, and the victim and attacker of the tenancy matrix.
 */
final class Fixtures {
    /** The kinds of resource a path parameter names. */
    enum Kind { WORKFLOW, CASE_WORKFLOW, RUN, CASE, WORKSPACE, TOKEN, WEBHOOK, DELIVERY }

    /**
     * Path parameters by name, and the kind each names. A parameter not listed here makes its operation
     * unclassified, which fails the suite until it is added (with a fixture for its kind).
     */
    static final Map<String, Kind> PARAMS = Map.of(
            "workflowId", Kind.WORKFLOW,
            "runId", Kind.RUN,
            "executionId", Kind.RUN,
            "caseId", Kind.CASE,
            "workspaceId", Kind.WORKSPACE,
            "tokenId", Kind.TOKEN,
            "webhookId", Kind.WEBHOOK,
            "deliveryId", Kind.DELIVERY);

    /** A value no resource has: the largest ID Kickoff could issue, or a delivery ID of zeros. */
    static final long NONE = (1L << 53) - 1;

    final Stack.Org org;
    final Map<Kind, String> ids = new EnumMap<>(Kind.class);

    /** The definition of the open workflow (no input schema: any input is a valid run). */
    static final String OPEN = """
            {"name": "Open", "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"seen": "{{input}}"}}}]}""";
    static final String CASES = """
            {"name": "Cases", "kind": "direct_case", "statuses": ["Waiting"],
             "attributeSchema": {"type": "object", "properties": {"amount": {"type": "number", "minimum": 0},
               "email": {"type": "string", "pattern": "^[^@]+@[^@]+$", "maxLength": 200}}},
             "steps": [{"id": "wait", "type": "set_case", "config": {"status": "Waiting"}}]}""";

    private Fixtures(Stack.Org org) {
        this.org = org;
        ids.put(Kind.WORKSPACE, Long.toString(org.id()));
    }

    /** An organization's IDs without a stack (tests of the request generators fill {@link #ids} themselves). */
    static Fixtures offline(Stack.Org org) {
        return new Fixtures(org);
    }

    /** Makes one resource of every kind in the organization, through its API. */
    static Fixtures create(Http http, Stack.Org org, String hookUrl) {
        Fixtures f = new Fixtures(org);
        f.make(http, hookUrl);
        return f;
    }

    private void make(Http http, String hookUrl) {
        long open = publish(http, OPEN);
        ids.put(Kind.WORKFLOW, Long.toString(open));
        ids.put(Kind.CASE_WORKFLOW, Long.toString(publish(http, CASES)));
        JsonNode hook = http.expect(201, "POST", "/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"" + hookUrl + "\", \"events\": [\"run.completed\"]}");
        Secrets.collect(hook, "fixture webhook secret");
        ids.put(Kind.WEBHOOK, hook.path("webhook").path("id").asText());
        JsonNode run = http.expect(201, "POST", "/api/external/v1/workflows/" + open + "/runs", org.apiToken(), "{\"input\": {}}");
        ids.put(Kind.RUN, run.path("workflow_run").path("id").asText());
        JsonNode kase = http.expect(201, "POST", "/api/external/v1/workflows/" + ids.get(Kind.CASE_WORKFLOW) + "/cases",
                org.apiToken(), "{\"subject\": \"fixture\", \"attributes\": {\"amount\": 1}}");
        ids.put(Kind.CASE, kase.path("case").path("id").asText());
        JsonNode token = http.expect(201, "POST", "/api/manage/v1/tokens", org.manageToken(), "{\"name\": \"spare\", \"scope\": \"api\"}");
        Secrets.collect(token, "spare token");
        ids.put(Kind.TOKEN, token.path("token").path("id").asText());
        // The run's webhook delivery: made by the stream and delivery functions a moment after the run finishes.
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode log = http.send("GET", "/api/manage/v1/webhooks/" + ids.get(Kind.WEBHOOK) + "/deliveries",
                    org.manageToken(), null).json();
            if (log.path("deliveries").size() > 0) {
                ids.put(Kind.DELIVERY, log.path("deliveries").get(0).path("id").asText());
                break;
            }
            Workload.sleep(500);
        }
        if (!ids.containsKey(Kind.DELIVERY)) {
            throw new IllegalStateException("no webhook delivery appeared for the fixture run " + ids.get(Kind.RUN));
        }
    }

    private long publish(Http http, String definition) {
        long id = http.expect(201, "POST", "/api/manage/v1/workflows", org.manageToken(), definition)
                .path("workflow").path("id").asLong();
        http.expect(200, "POST", "/api/manage/v1/workflows/" + id + "/publish", org.manageToken(), null);
        return id;
    }

    /** The kind a parameter names in a path: a workflow under {@code /cases} is the case workflow. */
    static Kind kindOf(String param, String template) {
        Kind kind = PARAMS.get(param);
        if (kind == Kind.WORKFLOW && template.contains("/cases")) {
            return Kind.CASE_WORKFLOW;
        }
        return kind;
    }

    /** An ID as a path of this shape spells it (every shape also takes the plain number). */
    static String render(Kind kind, String id, String shape) {
        if (kind == Kind.DELIVERY) {
            return id;
        }
        long n = Long.parseLong(id);
        return switch (shape) {
            case "workspace" -> switch (kind) {
                case WORKSPACE -> WorkspaceIds.encode(WorkspaceIds.Kind.WORKSPACE, n);
                case WORKFLOW, CASE_WORKFLOW -> WorkspaceIds.encode(WorkspaceIds.Kind.WORKFLOW, n);
                case RUN -> WorkspaceIds.encode(WorkspaceIds.Kind.RUN, n);
                default -> id;
            };
            case "v1" -> switch (kind) {
                case WORKFLOW, CASE_WORKFLOW -> "wf_" + id;
                case RUN -> "run_" + id;
                default -> id;
            };
            case "minimal" -> kind == Kind.RUN ? "exec_" + id : id;
            default -> id;
        };
    }

    /** A value of this kind that names nothing. */
    static String none(Kind kind) {
        return kind == Kind.DELIVERY ? "msg_" + "0".repeat(32) : Long.toString(NONE);
    }

    /** Values for required query parameters the schema cannot give (a case list's status). */
    static final Map<String, String> QUERY = Map.of("status", "Open");

    /**
     * The operation's path with this organization's resources (or {@code override}'s value for one parameter), and
     * its required query parameters.
     */
    String path(Contract.Operation op, Map<String, String> override) {
        String path = op.template();
        for (String p : op.pathParams()) {
            Kind kind = kindOf(p, op.template());
            String value = override.containsKey(p) ? override.get(p) : render(kind, ids.get(kind), op.shape());
            path = path.replace("{" + p + "}", value);
        }
        StringBuilder query = new StringBuilder();
        for (JsonNode param : op.node().path("parameters")) {
            if ("query".equals(param.path("in").asText()) && param.path("required").asBoolean(false)) {
                String name = param.path("name").asText();
                JsonNode example = Routes.synthesize(null, param.path("schema"), 0);
                String value = QUERY.getOrDefault(name, example == null ? "x" : example.asText());
                query.append(query.isEmpty() ? "?" : "&").append(name).append('=')
                        .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return path + query;
    }

    String path(Contract.Operation op) {
        return path(op, Map.of());
    }
}
