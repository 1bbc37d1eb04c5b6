package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 004, the minimal trigger, through the deployed handler. */
class MinimalApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static long workflow;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("minimal-api");
        org = stack.newOrg();
        other = stack.newOrg();
        workflow = stack.publishedWorkflow(org, SeedWorkflows.OPEN);
    }

    static LambdaHttp.Response run(Object workflowId, String apiKey, String body) {
        return stack.http.send("POST", "/workflows/" + workflowId + "/run", body,
                "Content-Type", "application/json", "X-API-KEY", apiKey);
    }

    @Test
    void emptyPayloadAnswersTheSeedsTriggerEvent() {
        var response = run(workflow, org.apiToken(), "{ \"payload\": {} }");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().fieldNames()).toIterable().containsExactly("data");
        JsonNode data = response.json().get("data");
        assertThat(data.fieldNames()).toIterable().containsExactly("event_type", "execution_id", "payload", "run_by",
                "tenant_id", "timestamp", "trigger_id", "trigger_type", "workflow_id");
        assertThat(data.get("event_type").asText()).isEqualTo("WORKFLOW_TRIGGER");
        assertThat(data.get("execution_id").asText()).matches("exec_[1-9][0-9]*");
        assertThat(data.get("payload").toString()).isEqualTo("{}");
        assertThat(data.get("run_by").asText()).isEqualTo("ci");
        assertThat(data.get("tenant_id").asText()).isEqualTo(Long.toString(org.id()));
        assertThat(data.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
        assertThat(data.get("trigger_id").asText()).isEqualTo("-");
        assertThat(data.get("trigger_type").asText()).isEqualTo("MANUAL");
        assertThat(data.get("workflow_id").asText()).isEqualTo(Long.toString(workflow));
    }

    @Test
    void thePayloadIsEchoedAndTheExecutionCanBeReadBack() {
        String payload = "{\"user_id\": \"12345\", \"action\": \"process_order\", "
                + "\"data\": {\"order_id\": \"ORD-2024-001\", \"customer_email\": \"customer@example.com\"}}";
        JsonNode data = run(workflow, org.apiToken(), "{\"payload\": " + payload + "}").json().get("data");
        assertThat(data.get("payload").get("data").get("order_id").asText()).isEqualTo("ORD-2024-001");
        String execution = data.get("execution_id").asText();
        String path = "/workflows/" + workflow + "/executions/" + execution;

        JsonNode pending = stack.http.send("GET", path, (byte[]) null, "X-API-KEY", org.apiToken()).json().get("data");
        assertThat(pending.get("execution_id").asText()).isEqualTo(execution);
        assertThat(pending.get("status").asText()).isEqualTo("PENDING");

        stack.runtime.executor().execute(Long.parseLong(execution.substring(5)), "test-worker");
        var done = stack.http.send("GET", path, (byte[]) null, "X-API-KEY", org.apiToken());
        assertThat(done.status()).isEqualTo(200);
        JsonNode state = done.json().get("data");
        assertThat(state.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(state.get("output").get("seen").get("user_id").asText()).isEqualTo("12345");
        assertThat(state.get("completed_at").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
        assertThat(state.get("timestamp").asText()).isEqualTo(data.get("timestamp").asText());
    }

    @Test
    void errors() {
        var missing = stack.http.send("POST", "/workflows/" + workflow + "/run", "{\"payload\": {}}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").get("code").asText()).isEqualTo("UNAUTHORIZED");

        long foreign = stack.publishedWorkflow(other, SeedWorkflows.OPEN);
        for (Object id : new Object[]{foreign, "workflow_def456ghi789", 123456789}) {
            var notFound = run(id, org.apiToken(), "{\"payload\": {}}");
            assertThat(notFound.status()).as(id.toString()).isEqualTo(404);
            assertThat(notFound.body()).isEqualTo("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Workflow not found\"}}");
        }

        var notAnObject = run(workflow, org.apiToken(), "{\"payload\": \"x\"}");
        assertThat(notAnObject.status()).isEqualTo(400);
        assertThat(notAnObject.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(notAnObject.json().get("error").get("details").get(0).get("path").asText()).isEqualTo("/payload");

        long invoice = stack.publishedWorkflow(org, SeedWorkflows.CREATE_INVOICE);
        var invalid = run(invoice, org.apiToken(), "{\"payload\": {\"amount\": 1}}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("error").get("details")).extracting(d -> d.get("path").asText())
                .containsExactlyInAnyOrder("/customerId", "/amount");

        // the seed's own "with input data" example is not valid JSON (missing commas): a clear 400, not a 500
        var seedTypo = run(workflow, org.apiToken(),
                "{ \"payload\":{ \"user_id\": \"12345\",\"action\": \"process_order\"\"data\": {\"order_id\": \"ORD-2024-001\""
                        + "\"customer_email\": \"customer@example.com}}}");
        assertThat(seedTypo.status()).isEqualTo(400);
        assertThat(seedTypo.json().get("error").get("code").asText()).isEqualTo("INVALID_JSON");

        JsonNode data = run(workflow, org.apiToken(), "{\"payload\": {}}").json().get("data");
        String execution = data.get("execution_id").asText();
        for (String path : new String[]{"/workflows/" + workflow + "/executions/exec_1",
                "/workflows/" + foreign + "/executions/" + execution, "/workflows/x/executions/" + execution}) {
            var response = stack.http.send("GET", path, (byte[]) null, "X-API-KEY", org.apiToken());
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.json().get("error").get("message").asText()).isEqualTo("Execution not found");
        }
        assertThat(stack.http.send("GET", "/workflows/" + workflow + "/executions/" + execution, (byte[]) null,
                "X-API-KEY", other.apiToken()).status()).isEqualTo(404);
    }
}
