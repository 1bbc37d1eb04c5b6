package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 003 through the deployed handler: every request and error example of the document. */
class V1ApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static long invoice;
    static long draft;
    static long failing;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("v1-api");
        org = stack.newOrg();
        other = stack.newOrg();
        invoice = stack.publishedWorkflow(org, SeedWorkflows.CREATE_INVOICE);
        draft = stack.createWorkflow(org, SeedWorkflows.CREATE_INVOICE);
        failing = stack.publishedWorkflow(org, SeedWorkflows.FAILING);
    }

    static LambdaHttp.Response run(Object workflowId, String apiKey, String body) {
        return stack.http.send("POST", "/api/v1/workflows/" + workflowId + "/run", body,
                "x-api-key", apiKey, "Content-Type", "application/json");
    }

    static LambdaHttp.Response status(String runId, String apiKey) {
        return stack.http.send("GET", "/api/v1/runs/" + runId, (byte[]) null, "x-api-key", apiKey);
    }

    @Test
    void basicRequestAnswersTheSeedsResponse() {
        // curl -X POST http://localhost:3000/api/v1/workflows/{WORKFLOW_ID}/run -H "x-api-key: …" -d '{"input": {…}}'
        var response = run("wf_" + invoice, org.apiToken(), """
                {"input": {"customerId": "cus_xxx", "amount": 9900}}""");

        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode body = response.json();
        assertThat(body.fieldNames()).toIterable().containsExactly("success", "data");
        assertThat(body.get("success").asBoolean()).isTrue();
        JsonNode data = body.get("data");
        assertThat(data.fieldNames()).toIterable().containsExactly("runId", "status", "workflowId", "workflowVersion");
        assertThat(data.get("runId").asText()).matches("run_[1-9][0-9]*");
        assertThat(data.get("status").asText()).isEqualTo("pending");
        assertThat(data.get("workflowId").asText()).isEqualTo("wf_" + invoice);
        assertThat(data.get("workflowVersion").asInt()).isEqualTo(1);
        assertThat(response.header("Location")).isEqualTo("https://api.kickoff.test/api/v1/runs/" + data.get("runId").asText());
        assertThat(response.header("Idempotent-Replayed")).isNull();
        assertThat(response.header("RateLimit-Limit")).isEqualTo("500");
    }

    @Test
    void workflowIdsWorkWithAndWithoutPrefixAndEveryTokenHeaderWorks() {
        String body = "{\"input\": {\"customerId\": \"cus_1\", \"amount\": 100}}";
        assertThat(run(invoice, org.apiToken(), body).status()).isEqualTo(201);
        assertThat(stack.http.send("POST", "/api/v1/workflows/wf_" + invoice + "/run", body,
                "X-API-KEY", org.apiToken()).status()).isEqualTo(201);
        assertThat(stack.http.post("/api/v1/workflows/wf_" + invoice + "/run", org.apiToken(), body).status())
                .isEqualTo(201);
    }

    @Test
    void runStatusHasTheSeedsFieldsOnceCompleted() {
        String runId = run("wf_" + invoice, org.apiToken(), """
                {"input": {"customerId": "cus_xxx", "amount": 9900}, "connectionId": "conn_production_stripe"}""")
                .json().get("data").get("runId").asText();

        JsonNode pending = status(runId, org.apiToken()).json().get("data");
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        assertThat(pending.get("output").isNull()).isTrue();
        assertThat(pending.get("startedAt").isNull()).isTrue();
        assertThat(pending.get("steps").isEmpty()).isTrue();

        stack.runtime.executor().execute(Long.parseLong(runId.substring(4)), "test-worker");

        var response = status(runId, org.apiToken());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("success").asBoolean()).isTrue();
        JsonNode data = response.json().get("data");
        assertThat(data.fieldNames()).toIterable().startsWith("id", "status", "input", "output", "startedAt",
                "completedAt", "steps").doesNotContain("error");
        assertThat(data.get("id").asText()).isEqualTo(runId);
        assertThat(data.get("status").asText()).isEqualTo("completed");
        // the schema's default is part of the input the run saw
        assertThat(data.get("input").toString()).isEqualTo("{\"customerId\":\"cus_xxx\",\"amount\":9900,\"currency\":\"usd\"}");
        assertThat(data.get("output").toString()).isEqualTo("{\"invoiceId\":\"inv_123\"}");
        assertThat(data.get("startedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(data.get("completedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        JsonNode step = data.get("steps").get(0);
        assertThat(step.fieldNames()).toIterable().containsExactly("id", "status", "output");
        assertThat(step.get("id").asText()).isEqualTo("create-invoice");
        assertThat(step.get("status").asText()).isEqualTo("completed");
        assertThat(step.get("output").get("id").asText()).isEqualTo("inv_123");
        // the connection is stored on the run and handed to the steps
        assertThat(step.get("output").get("connection").asText()).isEqualTo("conn_production_stripe");
        assertThat(data.get("connectionId").asText()).isEqualTo("conn_production_stripe");
        assertThat(data.get("workflowId").asText()).isEqualTo("wf_" + invoice);

        assertThat(status(runId.substring(4), org.apiToken()).json().get("data").get("id").asText())
                .as("bare run IDs are accepted too").isEqualTo(runId);
    }

    @Test
    void aFailedRunCarriesTheErrorMessageWaitForCompletionReads() {
        String runId = run(failing, org.apiToken(), "{\"input\": {\"customerId\": \"cus_9\"}}")
                .json().get("data").get("runId").asText();
        stack.runtime.executor().execute(Long.parseLong(runId.substring(4)), "test-worker");
        JsonNode data = status(runId, org.apiToken()).json().get("data");
        assertThat(data.get("status").asText()).isEqualTo("failed");
        assertThat(data.get("error").get("message").asText()).isEqualTo("step 'boom' failed: card declined for cus_9");
        assertThat(data.get("steps").get(0).get("error").get("message").asText()).isEqualTo("card declined for cus_9");
    }

    @Test
    void workflowNotFound() {
        String expected = "{\"success\":false,\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Workflow not found\"}}";
        long foreign = stack.publishedWorkflow(other, SeedWorkflows.CREATE_INVOICE);
        for (Object id : new Object[]{"wf_" + foreign, foreign, 123456789, "wf_daily_report", "wf_", "-1"}) {
            var response = run(id, org.apiToken(), "{\"input\":{}}");
            assertThat(response.status()).as(id + " " + response).isEqualTo(404);
            assertThat(response.body()).isEqualTo(expected);
        }
    }

    @Test
    void workflowNotActive() {
        var response = run("wf_" + draft, org.apiToken(), "{\"input\": {\"customerId\": \"cus_1\", \"amount\": 100}}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"error\":{\"code\":\"INVALID_STATUS\","
                + "\"message\":\"Workflow must be active to run. Current status: draft\"}}");
    }

    @Test
    void invalidInputIsTheSeeds400WithZodStyleDetails() {
        var response = run("wf_" + invoice, org.apiToken(), "{\"input\": {\"amount\": 9900}}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"error\":{\"code\":\"VALIDATION_ERROR\","
                + "\"message\":\"Input validation failed\",\"details\":[{\"path\":[\"customerId\"],\"message\":\"Required\"}]}}");

        var several = run("wf_" + invoice, org.apiToken(),
                "{\"input\": {\"customerId\": \"acme\", \"amount\": \"99\", \"currency\": \"jpy\"}}");
        assertThat(several.status()).isEqualTo(400);
        JsonNode details = several.json().get("error").get("details");
        assertThat(details).extracting(d -> d.get("path").toString() + " " + d.get("message").asText())
                .containsExactlyInAnyOrder(
                        "[\"customerId\"] Invalid string: must match pattern /^cus_[a-zA-Z0-9]+$/",
                        "[\"amount\"] Expected number, received string",
                        "[\"currency\"] Invalid enum value. Expected 'usd' | 'eur' | 'gbp', received 'jpy'");
    }

    @Test
    void malformedBodiesAre400InTheSeedsShape() {
        var notJson = run(invoice, org.apiToken(), "{\"input\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("success").asBoolean()).isFalse();
        assertThat(notJson.json().get("error").get("code").asText()).isEqualTo("INVALID_JSON");

        var wrongTypes = run(invoice, org.apiToken(), "{\"input\": \"x\", \"connectionId\": 5, \"idempotencyKey\": []}");
        assertThat(wrongTypes.status()).isEqualTo(400);
        assertThat(wrongTypes.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(wrongTypes.json().get("error").get("details")).extracting(d -> d.get("path").get(0).asText()
                        + ": " + d.get("message").asText())
                .containsExactly("input: Expected object, received string", "connectionId: Expected string, received number",
                        "idempotencyKey: Expected string, received array");

        var badConnection = run(invoice, org.apiToken(), "{\"input\": {\"customerId\": \"cus_1\", \"amount\": 100},"
                + " \"connectionId\": \"conn prod\"}");
        assertThat(badConnection.status()).isEqualTo(400);
        assertThat(badConnection.json().get("error").get("details").get(0).get("path").toString()).isEqualTo("[\"connectionId\"]");

        var tooLarge = run(invoice, org.apiToken(), "{\"input\": {\"s\": \"" + "x".repeat(300 * 1024) + "\"}}");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("error").get("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");

        assertThat(run(invoice, org.apiToken(), "[1]").status()).isEqualTo(400);
    }

    @Test
    void anEmptyBodyOrEmptyInputIsAllowedWhereTheSchemaAllowsIt() {
        long open = stack.publishedWorkflow(org, SeedWorkflows.OPEN);
        for (String body : new String[]{null, "{}", "{\"input\":{}}", "{\"input\": null}"}) {
            var response = run(open, org.apiToken(), body);
            assertThat(response.status()).as(body + " " + response).isEqualTo(201);
        }
        // the seed's cron example sends no Content-Type (curl -d makes it a form post)
        var form = stack.http.send("POST", "/api/v1/workflows/wf_" + open + "/run", "{\"input\":{}}",
                "x-api-key", org.apiToken(), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).as(form.toString()).isEqualTo(201);
    }

    @Test
    void unknownFieldsOfAClosedSchemaAreStrippedAndUnknownBodyFieldsIgnored() {
        long closed = stack.publishedWorkflow(org, SeedWorkflows.CLOSED);
        var response = run(closed, org.apiToken(), "{\"input\": {\"orderId\": \"order_123\", \"debug\": true}, \"extra\": 1}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        String runId = response.json().get("data").get("runId").asText();
        assertThat(status(runId, org.apiToken()).json().get("data").get("input").toString())
                .isEqualTo("{\"orderId\":\"order_123\",\"priority\":\"normal\"}");
    }

    @Test
    void tokensAre401InTheSeedsShape() {
        var missing = stack.http.send("POST", "/api/v1/workflows/" + invoice + "/run", "{}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("success").asBoolean()).isFalse();
        assertThat(missing.json().get("error").get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(missing.header("RateLimit-Limit")).as("nothing was counted").isNull();
        assertThat(run(invoice, "api_wrong", "{}").status()).isEqualTo(401);
        assertThat(run(invoice, org.manageToken(), "{}").status()).isEqualTo(401);
        assertThat(status("run_1", "nope").status()).isEqualTo(401);
    }

    @Test
    void runsOfOtherOrganizationsAndJunkIdsAreNotFound() {
        String runId = run(invoice, org.apiToken(), "{\"input\": {\"customerId\": \"cus_1\", \"amount\": 100}}")
                .json().get("data").get("runId").asText();
        String expected = "{\"success\":false,\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Run not found\"}}";
        for (String id : new String[]{runId, "run_999", "run_abc", "wf_" + runId.substring(4)}) {
            String token = id.equals(runId) ? other.apiToken() : org.apiToken();
            var response = status(id, token);
            assertThat(response.status()).as(id).isEqualTo(404);
            assertThat(response.body()).isEqualTo(expected);
        }
    }

    @Test
    void errorResponsesOfTheExecuteEndpointCarryRateLimitHeadersToo() {
        var notFound = run(987654321, org.apiToken(), "{}");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.header("RateLimit-Limit")).isEqualTo("500");
        assertThat(Long.parseLong(notFound.header("RateLimit-Remaining"))).isBetween(0L, 499L);
        assertThat(Long.parseLong(notFound.header("RateLimit-Reset"))).isBetween(1L, 60L);
        assertThat(status("run_1", org.apiToken()).header("RateLimit-Limit")).as("reads are not execute requests").isNull();
    }

    @Test
    void unknownRoutesUnderApiV1AnswerInTheSeedsShape() {
        var response = stack.http.send("GET", "/api/v1/nothing", (byte[]) null, "x-api-key", org.apiToken());
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("success").asBoolean()).isFalse();
        assertThat(response.json().get("error").get("code").asText()).isEqualTo("NOT_FOUND");
    }
}
