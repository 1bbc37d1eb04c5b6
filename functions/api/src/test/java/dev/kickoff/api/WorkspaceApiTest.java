package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.workspace.WorkspaceIds;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 002, the workspace trigger, through the deployed handler. */
class WorkspaceApiTest {
    static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    static final String SECONDS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static String workspace;
    static long invoice;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("workspace-api");
        org = stack.newOrg();
        other = stack.newOrg();
        workspace = WorkspaceIds.encode(Kind.WORKSPACE, org.id());
        invoice = stack.publishedWorkflow(org, SeedWorkflows.CREATE_INVOICE);
    }

    static String trigger(String ws, String wf) {
        return "/api/v1/workspaces/" + ws + "/workflows/" + wf + "/trigger";
    }

    static LambdaHttp.Response post(String path, String token, String body) {
        return stack.http.post(path, token, body);
    }

    @Test
    void triggerAnswersTheSeedsRunObjectWithEveryField() {
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, invoice);
        // curl --request POST --url …/trigger --header 'Authorization: Bearer <token>' --data '{"trigger_payload": {}}'
        var response = post(trigger(workspace, wf), org.apiToken(),
                "{\"trigger_payload\": {\"customerId\": \"cus_1\", \"amount\": 250}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode run = response.json();
        assertThat(run.fieldNames()).toIterable().containsExactly("id", "workflow_id", "status", "created_at",
                "triggered_by", "trigger_payload", "started_at", "completed_at", "error_message", "total_cost_cents",
                "node_runs");
        assertThat(run.get("id").asText()).matches(UUID_PATTERN);
        assertThat(run.get("workflow_id").asText()).isEqualTo(wf);
        assertThat(run.get("status").asText()).isEqualTo("pending");
        assertThat(run.get("created_at").asText()).matches(SECONDS);
        assertThat(run.get("triggered_by").asText()).isEqualTo("ci");
        assertThat(run.get("trigger_payload").toString()).isEqualTo("{\"customerId\":\"cus_1\",\"amount\":250,\"currency\":\"usd\"}");
        assertThat(run.get("started_at").isNull()).isTrue();
        assertThat(run.get("completed_at").isNull()).isTrue();
        assertThat(run.get("error_message").isNull()).isTrue();
        assertThat(run.get("total_cost_cents").asInt()).isZero();
        assertThat(run.get("node_runs").isArray()).isTrue();
        assertThat(run.get("node_runs").isEmpty()).isTrue();
        assertThat(response.header("RateLimit-Remaining")).isNotNull();

        long runId = WorkspaceIds.decode(run.get("id").asText(), Kind.RUN);
        assertThat(stack.runtime.runStore().find(runId)).as("the UUID decodes to the stored run").isPresent();
    }

    @Test
    void theRunReadBackHasOneNodeRunPerExecutedStep() {
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, invoice);
        JsonNode created = post(trigger(workspace, wf), org.apiToken(),
                "{\"trigger_payload\": {\"customerId\": \"cus_1\", \"amount\": 250}}").json();
        stack.runtime.executor().execute(WorkspaceIds.decode(created.get("id").asText(), Kind.RUN), "test-worker");

        var response = stack.http.get("/api/v1/workspaces/" + workspace + "/workflows/" + wf + "/runs/"
                + created.get("id").asText(), org.apiToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode run = response.json();
        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(run.get("started_at").asText()).matches(SECONDS);
        assertThat(run.get("completed_at").asText()).matches(SECONDS);
        assertThat(run.get("node_runs")).hasSize(1);
        JsonNode node = run.get("node_runs").get(0);
        assertThat(node.fieldNames()).toIterable().containsExactly("id", "workflow_run_id", "workflow_node_id", "status",
                "created_at", "task_id", "input_data", "output_data", "started_at", "completed_at");
        assertThat(node.get("id").asText()).isEqualTo(WorkspaceIds.encode(Kind.NODE_RUN,
                WorkspaceIds.decode(created.get("id").asText(), Kind.RUN), 0));
        assertThat(node.get("workflow_run_id").asText()).isEqualTo(created.get("id").asText());
        assertThat(node.get("workflow_node_id").asText()).isEqualTo(WorkspaceIds.encode(Kind.WORKFLOW_NODE, invoice, 0));
        assertThat(node.get("status").asText()).isEqualTo("completed");
        assertThat(node.get("task_id").isNull()).isTrue();
        assertThat(node.get("input_data").at("/mapping/customer").asText()).as("the resolved config").isEqualTo("cus_1");
        assertThat(node.get("output_data").get("id").asText()).isEqualTo("inv_123");
        assertThat(node.get("created_at").asText()).matches(SECONDS);
        assertThat(node.get("completed_at").asText()).matches(SECONDS);
    }

    @Test
    void plainNumericIdsAndAnEmptyBodyWork() {
        long open = stack.publishedWorkflow(org, SeedWorkflows.OPEN);
        for (String body : new String[]{"{\"trigger_payload\": {}}", "{}", null, "{\"trigger_payload\": null}"}) {
            var response = post(trigger(Long.toString(org.id()), Long.toString(open)), org.apiToken(), body);
            assertThat(response.status()).as(body + " " + response).isEqualTo(200);
            assertThat(response.json().get("trigger_payload").toString()).isEqualTo("{}");
        }
    }

    @Test
    void aWorkspaceTheTokenDoesNotBelongToIs404() {
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, invoice);
        for (String ws : new String[]{WorkspaceIds.encode(Kind.WORKSPACE, other.id()), UUID.randomUUID().toString(),
                WorkspaceIds.encode(Kind.WORKFLOW, org.id()), "3c90c3cc-0d44-4b50-8888-8dd25736052a", "nope"}) {
            var response = post(trigger(ws, wf), org.apiToken(), "{\"trigger_payload\": {}}");
            assertThat(response.status()).as(ws).isEqualTo(404);
            assertThat(response.body()).isEqualTo("{\"detail\":\"Workspace not found\"}");
        }
    }

    @Test
    void workflowsAndRunsOfOtherOrganizationsOrNotOursAre404() {
        long foreign = stack.publishedWorkflow(other, SeedWorkflows.OPEN);
        for (String wf : new String[]{WorkspaceIds.encode(Kind.WORKFLOW, foreign), WorkspaceIds.encode(Kind.WORKFLOW, 42),
                WorkspaceIds.encode(Kind.RUN, invoice), "3c90c3cc-0d44-4b50-8888-8dd25736052a"}) {
            var response = post(trigger(workspace, wf), org.apiToken(), "{}");
            assertThat(response.status()).as(wf).isEqualTo(404);
            assertThat(response.body()).isEqualTo("{\"detail\":\"Workflow not found\"}");
        }
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, invoice);
        String runId = post(trigger(workspace, wf), org.apiToken(),
                "{\"trigger_payload\": {\"customerId\": \"cus_1\", \"amount\": 250}}").json().get("id").asText();
        String otherWorkspace = WorkspaceIds.encode(Kind.WORKSPACE, other.id());
        assertThat(stack.http.get("/api/v1/workspaces/" + otherWorkspace + "/workflows/" + wf + "/runs/" + runId,
                other.apiToken()).status()).isEqualTo(404);
        for (String path : new String[]{
                "/api/v1/workspaces/" + workspace + "/workflows/" + WorkspaceIds.encode(Kind.WORKFLOW, foreign) + "/runs/" + runId,
                "/api/v1/workspaces/" + workspace + "/workflows/nope/runs/" + runId,
                "/api/v1/workspaces/" + workspace + "/workflows/" + wf + "/runs/" + UUID.randomUUID()}) {
            var response = stack.http.get(path, org.apiToken());
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.body()).isEqualTo("{\"detail\":\"Workflow run not found\"}");
        }
    }

    @Test
    void validationErrorsAreFastApis422() {
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, invoice);
        var invalid = post(trigger(workspace, wf), org.apiToken(), "{\"trigger_payload\": {\"amount\": \"x\"}}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("detail")).extracting(JsonNode::toString).containsExactlyInAnyOrder(
                "{\"type\":\"missing\",\"loc\":[\"body\",\"trigger_payload\",\"customerId\"],\"msg\":\"Field required\"}",
                "{\"type\":\"float_type\",\"loc\":[\"body\",\"trigger_payload\",\"amount\"],"
                        + "\"msg\":\"Input should be a valid number\",\"input\":\"x\"}");

        var notADict = post(trigger(workspace, wf), org.apiToken(), "{\"trigger_payload\": [1]}");
        assertThat(notADict.status()).isEqualTo(422);
        assertThat(notADict.body()).isEqualTo("{\"detail\":[{\"type\":\"value_error\",\"loc\":[\"body\",\"trigger_payload\"],"
                + "\"msg\":\"Input should be a valid dictionary\"}]}");

        var notJson = post(trigger(workspace, wf), org.apiToken(), "{\"trigger_payload\": ");
        assertThat(notJson.status()).isEqualTo(422);
        assertThat(notJson.json().get("detail").get(0).get("type").asText()).isEqualTo("json_invalid");
    }

    @Test
    void unauthenticatedAndUnpublishedAnswerWithADetail() {
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, invoice);
        var missing = stack.http.send("POST", trigger(workspace, wf), "{}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("detail").asText()).contains("missing API token");
        long draft = stack.createWorkflow(org, SeedWorkflows.OPEN);
        var unpublished = post(trigger(workspace, WorkspaceIds.encode(Kind.WORKFLOW, draft)), org.apiToken(), "{}");
        assertThat(unpublished.status()).isEqualTo(400);
        assertThat(unpublished.json().get("detail").asText()).contains("not published");
    }
}
