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
    enum Kind {
        WORKFLOW, CASE_WORKFLOW, RUN, CASE, WORKSPACE, TOKEN, WEBHOOK, DELIVERY, CONNECTION, SCHEDULE,
        /** The dashboard's asset version and file name: the same for every organization (public, not a tenant's). */
        ASSET_VERSION, ASSET_NAME;

        /** Whether a value of this kind belongs to one organization (so another's list must not show it). */
        boolean owned() {
            return this != WORKSPACE && this != ASSET_VERSION && this != ASSET_NAME;
        }
    }

    /**
     * Path parameters by name, and the kind each names. A parameter not listed here makes its operation
     * unclassified, which fails the suite until it is added (with a fixture for its kind).
     */
    static final Map<String, Kind> PARAMS = Map.ofEntries(
            Map.entry("version", Kind.ASSET_VERSION),
            Map.entry("name", Kind.ASSET_NAME),
            Map.entry("connectionId", Kind.CONNECTION),
            Map.entry("scheduleId", Kind.SCHEDULE),
            Map.entry("workflowId", Kind.WORKFLOW),
            Map.entry("runId", Kind.RUN),
            Map.entry("executionId", Kind.RUN),
            Map.entry("caseId", Kind.CASE),
            Map.entry("workspaceId", Kind.WORKSPACE),
            Map.entry("tokenId", Kind.TOKEN),
            Map.entry("webhookId", Kind.WEBHOOK),
            Map.entry("deliveryId", Kind.DELIVERY));

    /** A managed schedule that never fires while the suite runs (paused). */
    static final String SCHEDULE = "{\"expression\": \"rate(1 day)\", \"status\": \"paused\"}";

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
        JsonNode connection = http.expect(201, "POST", "/api/manage/v1/connections", org.manageToken(),
                connection("fixture-" + org.id()));
        ids.put(Kind.CONNECTION, connection.path("connection").path("id").asText());
        JsonNode schedule = http.expect(201, "POST", "/api/manage/v1/workflows/" + open + "/schedules", org.manageToken(),
                SCHEDULE);
        ids.put(Kind.SCHEDULE, schedule.path("schedule").path("id").asText());
        // The dashboard's assets: the version is a hash of its files, read from the shell that links them.
        Http.Answer shell = http.send("GET", "/app/", null, null);
        java.util.regex.Matcher asset = java.util.regex.Pattern.compile("assets/([0-9a-f]+)/([a-z0-9-]+\\.(?:js|css))")
                .matcher(shell.body() == null ? "" : shell.body());
        if (!asset.find()) {
            throw new IllegalStateException("the dashboard shell links no asset: " + shell);
        }
        ids.put(Kind.ASSET_VERSION, asset.group(1));
        ids.put(Kind.ASSET_NAME, asset.group(2));
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

    /**
     * An HTTP connection whose secret (a header value) is registered with {@link Secrets}, so the leak phase looks for
     * it in every log line.
     */
    static String connection(String name) {
        String secret = "conn-secret-" + name + "-7f3a9c2e51d04b68";  // fixed: a seed replays the same bodies
        Secrets.add(secret, "connection secret (" + name + ")");
        return """
                {"provider": "http", "name": "%s", "config": {"baseUrl": "https://api.example.com/v1",
                 "headers": {"Authorization": "Bearer {{secrets.token}}"}}, "secrets": {"token": "%s"}}"""
                .formatted(name, secret);
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
        if (kind == Kind.DELIVERY || kind == Kind.CONNECTION || kind == Kind.ASSET_VERSION || kind == Kind.ASSET_NAME) {
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
        return switch (kind) {
            case DELIVERY -> "msg_" + "0".repeat(32);
            case CONNECTION -> "conn_" + "0".repeat(24);
            case ASSET_VERSION -> "0".repeat(16);
            case ASSET_NAME -> "none.js";
            default -> Long.toString(NONE);
        };
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
