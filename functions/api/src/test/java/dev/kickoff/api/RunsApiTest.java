package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 000 through the deployed handler class: every field, every documented error. */
class RunsApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static long workflow;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("runs-api");
        org = stack.newOrg();
        other = stack.newOrg();
        workflow = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        stack.drainRunsQueue();
    }

    static String runs(long workflowId) {
        return "/api/external/v1/workflows/" + workflowId + "/runs";
    }

    @Test
    void triggerAnswersTheSeedsWorkflowRunAndQueuesIt() {
        var response = stack.http.post(runs(workflow), org.apiToken(), "{\"input\": {\"key\": \"value\"}}");

        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode run = response.json().get("workflow_run");
        assertThat(run.fieldNames()).toIterable().containsExactly("id", "workflow_id", "trigger_id", "status", "mode",
                "workflow_version", "workflow_draft", "input", "output", "created_at", "updated_at", "url",
                "trigger", "usage");  // seed 000's fields in its order, then how the run started and what it used
        long id = run.get("id").asLong();
        assertThat(id).isPositive().isLessThan(1L << 53);
        assertThat(run.get("workflow_id").asLong()).isEqualTo(workflow);
        assertThat(run.get("trigger_id").isIntegralNumber()).isTrue();
        assertThat(run.get("status").asText()).isEqualTo("pending");
        assertThat(run.get("mode").asText()).isEqualTo("live");
        assertThat(run.get("workflow_version").asInt()).isEqualTo(1);
        assertThat(run.get("workflow_draft").asBoolean()).isFalse();
        assertThat(run.get("input").toString()).isEqualTo("{\"key\":\"value\"}");
        assertThat(run.get("output").isNull()).isTrue();
        assertThat(run.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        String url = "https://api.kickoff.test/api/external/v1/workflows/" + workflow + "/runs/" + id;
        assertThat(run.get("url").asText()).isEqualTo(url);
        assertThat(response.header("Location")).isEqualTo(url);

        assertThat(stack.drainRunsQueue()).anySatisfy(m -> assertThat(m.get("run_id").asLong()).isEqualTo(id));

        var polled = stack.http.get(runs(workflow) + "/" + id, org.apiToken());
        assertThat(polled.status()).isEqualTo(200);
        assertThat(polled.json().get("workflow_run")).isEqualTo(run);
    }

    @Test
    void inputIsOptional() {
        for (String body : new String[]{null, "", "  ", "{}", "{\"input\": {}}"}) {
            var response = stack.http.post(runs(workflow), org.apiToken(), body);
            assertThat(response.status()).as("body %s: %s", body, response).isEqualTo(201);
            assertThat(response.json().get("workflow_run").get("input").toString()).isEqualTo("{}");
        }
        // README: a body or input that is not an object is a 400, and null is not an object.
        for (String body : new String[]{"null", "{\"input\": null}"}) {
            var response = stack.http.post(runs(workflow), org.apiToken(), body);
            assertThat(response.status()).as("body %s: %s", body, response).isEqualTo(400);
            assertThat(response.json().get("code").asText()).isEqualTo("invalid_request");
        }
    }

    @Test
    void aJsonBodySentAsAFormStillWorks() {
        // curl -d without -H "Content-Type: application/json" sends application/x-www-form-urlencoded
        var response = stack.http.send("POST", runs(workflow), "{\"input\":{\"a\":1}}",
                "Authorization", "Bearer " + org.apiToken(), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(response.json().get("workflow_run").get("input").toString()).isEqualTo("{\"a\":1}");
    }

    @Test
    void missingOrInvalidTokensAre401() {
        var missing = stack.http.send("POST", runs(workflow), "{}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").asText()).contains("missing API token");
        assertThat(stack.http.post(runs(workflow), "api_notarealtoken", "{}").status()).isEqualTo(401);
        assertThat(stack.http.send("POST", runs(workflow), "{}", "Authorization", "Basic abc").status())
                .isEqualTo(401);
        assertThat(stack.http.get(runs(workflow) + "/1", "garbage").status()).isEqualTo(401);
        var manageOnRuns = stack.http.post(runs(workflow), org.manageToken(), "{}");
        assertThat(manageOnRuns.status()).isEqualTo(401);
        assertThat(manageOnRuns.json().get("error").asText()).contains("api scope");
    }

    @Test
    void unknownUnpublishedAndForeignWorkflowsAre404() {
        long draft = stack.createWorkflow(org, ApiStack.ORDER_WORKFLOW);
        long foreign = stack.publishedWorkflow(other, ApiStack.ORDER_WORKFLOW);
        for (String path : new String[]{runs(123456789), runs(draft), runs(foreign), "/api/external/v1/workflows/abc/runs",
                "/api/external/v1/workflows/-1/runs", "/api/external/v1/workflows/99999999999999999999/runs"}) {
            var response = stack.http.post(path, org.apiToken(), "{\"input\": {}}");
            assertThat(response.status()).as(path + " " + response).isEqualTo(404);
            assertThat(response.json().get("error").isTextual()).isTrue();
        }
        assertThat(stack.http.post(runs(draft), org.apiToken(), "{}").json().get("error").asText())
                .contains("not published");
    }

    @Test
    void foreignAndUnknownRunsAre404() {
        long runId = stack.http.post(runs(workflow), org.apiToken(), "{}").json().get("workflow_run").get("id").asLong();
        assertThat(stack.http.get(runs(workflow) + "/" + runId, other.apiToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(runs(workflow) + "/" + (runId + 1), org.apiToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(runs(workflow + 1) + "/" + runId, org.apiToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(runs(workflow) + "/nope", org.apiToken()).status()).isEqualTo(404);
    }

    @Test
    void ticketingWorkflowsAre422() {
        long ticketing = stack.publishedWorkflow(org, """
                {"name": "Tickets", "kind": "ticketing", "steps": []}""");
        var response = stack.http.post(runs(ticketing), org.apiToken(), "{}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("error").asText()).contains("ticketing");
    }

    @Test
    void badBodiesAre4xxNever500() {
        assertThat(stack.http.post(runs(workflow), org.apiToken(), "{\"input\": ").status()).isEqualTo(400);
        assertThat(stack.http.post(runs(workflow), org.apiToken(), "{\"input\": [1]}").status()).isEqualTo(400);
        assertThat(stack.http.post(runs(workflow), org.apiToken(), "{\"input\": \"x\"}").status()).isEqualTo(400);
        assertThat(stack.http.post(runs(workflow), org.apiToken(), "[1,2]").status()).isEqualTo(400);
        assertThat(stack.http.post(runs(workflow), org.apiToken(), "{\"a\":1,\"a\":2}").status()).isEqualTo(400);
        assertThat(stack.http.post(runs(workflow), org.apiToken(), "{} trailing").status()).isEqualTo(400);
        String deep = "{\"input\":" + "[".repeat(200) + "]".repeat(200) + "}";
        assertThat(stack.http.post(runs(workflow), org.apiToken(), deep).status()).isEqualTo(400);

        var unsupported = stack.http.post(runs(workflow), org.apiToken(), "{\"inputs\": {}}");
        assertThat(unsupported.status()).isEqualTo(422);
        assertThat(unsupported.json().get("validation_errors").get(0).get("path").asText()).isEqualTo("/inputs");

        String big = "{\"input\": {\"s\": \"" + "x".repeat(300 * 1024) + "\"}}";
        var tooLarge = stack.http.post(runs(workflow), org.apiToken(), big);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("error").asText()).contains("larger than");

        var binary = stack.http.send("POST", runs(workflow), new byte[]{(byte) 0xff, (byte) 0xfe, 0x00},
                "Authorization", "Bearer " + org.apiToken());
        assertThat(binary.status()).isEqualTo(400);
    }

    @Test
    void bigNumbersRoundTripAndHugeOnesAre400() {
        var ok = stack.http.post(runs(workflow), org.apiToken(), "{\"input\": {\"x\": 1e101, \"y\": 12.50}}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        long id = ok.json().get("workflow_run").get("id").asLong();
        var read = stack.http.get(runs(workflow) + "/" + id, org.apiToken());
        assertThat(read.status()).as("a stored run is always readable").isEqualTo(200);
        assertThat(read.body()).contains("\"y\":12.50");

        var huge = stack.http.post(runs(workflow), org.apiToken(), "{\"input\": {\"x\": 1e999999999}}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().get("error").asText()).contains("/input/x", "out of range");
    }

    @Test
    void unknownRoutesAnswerJson404() {
        var response = stack.http.get("/api/external/v1/nothing-here", org.apiToken());
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("error").asText()).contains("no such endpoint");
        var wrongMethod = stack.http.send("DELETE", runs(workflow), (byte[]) null, "Authorization", "Bearer " + org.apiToken());
        assertThat(wrongMethod.status()).isIn(404, 405);
        assertThat(wrongMethod.json().has("error")).isTrue();
    }
}
