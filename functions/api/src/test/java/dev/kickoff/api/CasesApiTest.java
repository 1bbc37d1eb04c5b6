package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 001 through the deployed API handler class: every field, every rule, every documented error. */
class CasesApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static long workflow;

    static final String REFUNDS = """
            {"name": "Refunds", "kind": "direct_case", "statuses": ["Awaiting customer"],
             "attributeSchema": {"type": "object", "required": ["amount"],
               "properties": {
                 "amount": {"type": "number"},
                 "reason": {"type": "string"},
                 "customer": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}},
                 "items": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}}}},
             "steps": [{"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer"}}]}""";

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("cases-api");
        org = stack.newOrg();
        other = stack.newOrg();
        workflow = stack.publishedWorkflow(org, REFUNDS);
        stack.drainRunsQueue();
    }

    static String cases(long workflowId) {
        return "/api/external/v1/workflows/" + workflowId + "/cases";
    }

    static String list(long workflowId, String query) {
        return "/api/manage/v1/workflows/" + workflowId + "/cases" + query;
    }

    /** Every case item stored for an organization, read straight from the table (the test's own check). */
    static List<Map<String, AttributeValue>> caseItems(long orgId) {
        return stack.runtime.dynamo().scan(ScanRequest.builder().tableName(stack.runtime.settings().table())
                .filterExpression("#type = :case AND org_id = :org").expressionAttributeNames(Map.of("#type", "type"))
                .expressionAttributeValues(Map.of(":case", AttributeValue.fromS("case"),
                        ":org", AttributeValue.fromN(Long.toString(orgId)))).build()).items();
    }

    static List<Map<String, AttributeValue>> runItems(long orgId) {
        return stack.runtime.dynamo().scan(ScanRequest.builder().tableName(stack.runtime.settings().table())
                .filterExpression("#type = :run AND org_id = :org").expressionAttributeNames(Map.of("#type", "type"))
                .expressionAttributeValues(Map.of(":run", AttributeValue.fromS("run"),
                        ":org", AttributeValue.fromN(Long.toString(orgId)))).build()).items();
    }

    @Test
    void createAnswersTheSeedsCaseStartsItsRunAndFetchReturnsIt() {
        var response = stack.http.post(cases(workflow), org.apiToken(),
                "{\"subject\": \"Refund request\", \"attributes\": {\"amount\": 42, \"reason\": \"late delivery\"}}");

        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(response.json().fieldNames()).toIterable().containsExactly("case");
        JsonNode kase = response.json().get("case");
        assertThat(kase.fieldNames()).toIterable().containsExactly("id", "workflow_id", "subject", "status",
                "attributes", "created_at", "updated_at");
        long id = kase.get("id").asLong();
        assertThat(id).isPositive().isLessThan(1L << 53);
        assertThat(kase.get("workflow_id").asLong()).isEqualTo(workflow);
        assertThat(kase.get("subject").asText()).isEqualTo("Refund request");
        assertThat(kase.get("status").asText()).isEqualTo("Open");
        assertThat(kase.get("attributes").toString()).isEqualTo("{\"amount\":42,\"reason\":\"late delivery\"}");
        assertThat(kase.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(kase.get("updated_at").asText()).isEqualTo(kase.get("created_at").asText());
        assertThat(response.header("Location")).isEqualTo("https://api.kickoff.test" + cases(workflow) + "/" + id);
        assertThat(response.header("RateLimit-Limit")).as("creating a case is not one of the four trigger POSTs")
                .isNull();

        // The automation started: a pending run linked to the case, queued for the worker.
        var stored = stack.runtime.caseStore().find(id).orElseThrow();
        var run = stack.runtime.runStore().find(stored.runId()).orElseThrow();
        assertThat(run.caseId()).isEqualTo(id);
        assertThat(run.workflowId()).isEqualTo(workflow);
        assertThat(run.status()).isEqualTo(RunStatus.PENDING);
        assertThat(Json.write(run.input())).isEqualTo("{\"amount\":42,\"reason\":\"late delivery\"}");
        assertThat(stack.drainRunsQueue()).anySatisfy(m -> assertThat(m.get("run_id").asLong()).isEqualTo(run.id()));

        var fetched = stack.http.get(cases(workflow) + "/" + id, org.apiToken());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json()).isEqualTo(response.json());
    }

    @Test
    void exactNumbersAreKept() {
        var response = stack.http.post(cases(workflow), org.apiToken(),
                "{\"attributes\": {\"amount\": 12.50, \"items\": [{\"qty\": 12345678901234567890}]}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(response.body()).contains("\"attributes\":{\"amount\":12.50,\"items\":[{\"qty\":12345678901234567890}]}");
    }

    @Test
    void aMissingOrBlankSubjectGetsTheTimestampedDefault() {
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        for (String body : new String[]{"{\"attributes\": {\"amount\": 1}}", "{\"subject\": \"\", \"attributes\": {\"amount\": 1}}",
                "{\"subject\": \"   \", \"attributes\": {\"amount\": 1}}", "{\"subject\": null, \"attributes\": {\"amount\": 1}}"}) {
            var response = stack.http.post(cases(workflow), org.apiToken(), body);
            assertThat(response.status()).as(body + " " + response).isEqualTo(201);
            JsonNode kase = response.json().get("case");
            Instant created = Instant.parse(kase.get("created_at").asText());
            assertThat(kase.get("subject").asText()).as(body)
                    .matches("API - \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC")
                    .isEqualTo("API - " + format.format(created) + " UTC");
        }
    }

    @Test
    void attributesAreOptionalWhenNothingIsRequired() {
        long open = stack.publishedWorkflow(org, """
                {"name": "Inbox", "kind": "direct_case", "steps": []}""");
        for (String body : new String[]{null, "", "{}", "{\"attributes\": {}}", "{\"attributes\": null}"}) {
            var response = stack.http.post(cases(open), org.apiToken(), body);
            assertThat(response.status()).as("body %s: %s", body, response).isEqualTo(201);
            assertThat(response.json().get("case").get("attributes").toString()).isEqualTo("{}");
        }
        // A body of null is not an absent body: like any body that is not an object, a 400.
        var nullBody = stack.http.post(cases(open), org.apiToken(), "null");
        assertThat(nullBody.status()).isEqualTo(400);
        assertThat(nullBody.json().get("error").asText()).contains("not null");
    }

    @Test
    void unknownBodyKeysAre422BeforeAnythingIsCreated() {
        long fresh = stack.publishedWorkflow(other, REFUNDS);
        stack.drainRunsQueue();
        int casesBefore = caseItems(other.id()).size();
        int runsBefore = runItems(other.id()).size();

        var response = stack.http.post(cases(fresh), other.apiToken(),
                "{\"subject\": \"x\", \"attributes\": {\"amount\": 1}, \"status\": \"Closed\", \"priority\": 1}");

        assertThat(response.status()).isEqualTo(422);
        JsonNode body = response.json();
        assertThat(body.get("error").asText()).isEqualTo("unsupported_body_key");
        assertThat(body.get("validation_errors")).extracting(e -> e.get("path").asText())
                .containsExactlyInAnyOrder("/status", "/priority");
        assertThat(caseItems(other.id())).hasSize(casesBefore);
        assertThat(runItems(other.id())).hasSize(runsBefore);
        assertThat(stack.drainRunsQueue()).isEmpty();
        var listed = stack.http.get(list(fresh, "?status=Open"), other.manageToken());
        assertThat(listed.json().get("cases")).isEmpty();
    }

    @Test
    void attributesThatAreNotAnObjectAre422() {
        for (String attributes : new String[]{"[1, 2]", "\"amount=42\"", "42", "true"}) {
            var response = stack.http.post(cases(workflow), org.apiToken(), "{\"attributes\": " + attributes + "}");
            assertThat(response.status()).as(attributes).isEqualTo(422);
            assertThat(response.json().get("error").asText()).isEqualTo("attributes_validation_failed");
            assertThat(response.json().get("validation_errors").get(0).get("error").asText()).contains("must be a JSON object");
        }
    }

    @Test
    void schemaFailuresAnswerTheSeedsShapeWithOneEntryPerProblem() {
        var seed = stack.http.post(cases(workflow), org.apiToken(), "{\"attributes\": {\"amount\": \"42\"}}");
        assertThat(seed.status()).isEqualTo(422);
        JsonNode body = seed.json();
        assertThat(body.get("error").asText()).isEqualTo("attributes_validation_failed");
        assertThat(body.get("validation_errors").toString())
                .isEqualTo("[{\"path\":\"/amount\",\"error\":\"value at `/amount` is not a number\"}]");

        var many = stack.http.post(cases(workflow), org.apiToken(), """
                {"attributes": {"reason": 7, "customer": {"email": false}, "items": [{"qty": 1}, {"qty": "two"}]}}""");
        assertThat(many.status()).isEqualTo(422);
        Map<String, String> problems = new HashMap<>();
        many.json().get("validation_errors").forEach(e -> problems.put(e.get("path").asText(), e.get("error").asText()));
        assertThat(problems).containsOnly(
                Map.entry("/amount", "value at `/amount` is required"),
                Map.entry("/reason", "value at `/reason` is not a string"),
                Map.entry("/customer/email", "value at `/customer/email` is not a string"),
                Map.entry("/items/1/qty", "value at `/items/1/qty` is not an integer"));
    }

    @Test
    void subjectsMustBeStringsOfAtMost255Characters() {
        var ok = stack.http.post(cases(workflow), org.apiToken(),
                "{\"subject\": \"" + "s".repeat(255) + "\", \"attributes\": {\"amount\": 1}}");
        assertThat(ok.status()).isEqualTo(201);
        var tooLong = stack.http.post(cases(workflow), org.apiToken(),
                "{\"subject\": \"" + "s".repeat(256) + "\", \"attributes\": {\"amount\": 1}}");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("validation_errors").get(0).get("path").asText()).isEqualTo("/subject");
        var number = stack.http.post(cases(workflow), org.apiToken(), "{\"subject\": 42, \"attributes\": {\"amount\": 1}}");
        assertThat(number.status()).isEqualTo(422);
        assertThat(number.json().get("error").asText()).isEqualTo("validation_failed");
    }

    @Test
    void workflowsThatAreNotDirectCaseWorkflowsAre422() {
        long standard = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        long ticketing = stack.publishedWorkflow(org, "{\"name\": \"Tickets\", \"kind\": \"ticketing\", \"steps\": []}");
        for (long wf : new long[]{standard, ticketing}) {
            var response = stack.http.post(cases(wf), org.apiToken(), "{\"attributes\": {}}");
            assertThat(response.status()).isEqualTo(422);
            assertThat(response.json().get("code").asText()).isEqualTo("not_a_case_workflow");
            assertThat(response.json().get("error").asText()).contains("direct_case");
        }
        // ...and a direct case workflow cannot be started as a plain run.
        assertThat(stack.http.post("/api/external/v1/workflows/" + workflow + "/runs", org.apiToken(), "{}").status())
                .isEqualTo(422);
    }

    @Test
    void unknownUnpublishedAndForeignWorkflowsAre404() {
        long draft = stack.createWorkflow(org, REFUNDS);
        long foreign = stack.publishedWorkflow(other, REFUNDS);
        for (String path : new String[]{cases(123456789), cases(draft), cases(foreign), "/api/external/v1/workflows/abc/cases",
                "/api/external/v1/workflows/-1/cases", "/api/external/v1/workflows/99999999999999999999/cases"}) {
            var response = stack.http.post(path, org.apiToken(), "{\"attributes\": {\"amount\": 1}}");
            assertThat(response.status()).as(path + " " + response).isEqualTo(404);
            assertThat(response.json().get("error").isTextual()).isTrue();
        }
        assertThat(stack.http.post(cases(draft), org.apiToken(), "{}").json().get("error").asText())
                .contains("not published");
    }

    @Test
    void tokenProblemsAre401() {
        var missing = stack.http.send("POST", cases(workflow), "{}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").isTextual()).isTrue();
        assertThat(stack.http.post(cases(workflow), "api_notarealtoken", "{}").status()).isEqualTo(401);
        assertThat(stack.http.send("POST", cases(workflow), "{}", "Authorization", "Basic abc").status()).isEqualTo(401);
        assertThat(stack.http.post(cases(workflow), org.manageToken(), "{}").status()).isEqualTo(401);
        assertThat(stack.http.get(cases(workflow) + "/1", "garbage").status()).isEqualTo(401);
        assertThat(stack.http.get(list(workflow, "?status=Open"), null).status()).isEqualTo(401);
        assertThat(stack.http.get(list(workflow, "?status=Open"), org.apiToken()).status()).isEqualTo(403);
    }

    @Test
    void badBodiesAre4xxNever500() {
        assertThat(stack.http.post(cases(workflow), org.apiToken(), "{\"attributes\": ").status()).isEqualTo(400);
        assertThat(stack.http.post(cases(workflow), org.apiToken(), "[1,2]").status()).isEqualTo(400);
        assertThat(stack.http.post(cases(workflow), org.apiToken(), "{\"subject\":\"a\",\"subject\":\"b\"}").status()).isEqualTo(400);
        assertThat(stack.http.post(cases(workflow), org.apiToken(), "{} trailing").status()).isEqualTo(400);
        var malformed = stack.http.post(cases(workflow), org.apiToken(), "{\"attributes\": {\"amount\": 4");
        assertThat(malformed.json().get("code").asText()).isEqualTo("malformed_json");
        String deep = "{\"attributes\":{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}}";
        assertThat(stack.http.post(cases(workflow), org.apiToken(), deep).status()).isEqualTo(400);
        String big = "{\"attributes\": {\"amount\": 1, \"s\": \"" + "x".repeat(300 * 1024) + "\"}}";
        assertThat(stack.http.post(cases(workflow), org.apiToken(), big).status()).isEqualTo(413);
        String large = "{\"attributes\": {\"amount\": 1, \"s\": \"" + "x".repeat(150 * 1024) + "\"}}";
        var overLimit = stack.http.post(cases(workflow), org.apiToken(), large);
        assertThat(overLimit.status()).isEqualTo(422);
        assertThat(overLimit.json().get("message").asText()).contains("over the limit");
    }

    @Test
    void casesOfOtherOrganizationsAndWorkflowsAreNotFound() {
        long id = stack.http.post(cases(workflow), org.apiToken(), "{\"attributes\": {\"amount\": 1}}")
                .json().get("case").get("id").asLong();
        long sibling = stack.publishedWorkflow(org, REFUNDS);
        assertThat(stack.http.get(cases(workflow) + "/" + id, other.apiToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(cases(sibling) + "/" + id, org.apiToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(cases(workflow) + "/" + (id + 1), org.apiToken()).status()).isEqualTo(404);
        var nope = stack.http.get(cases(workflow) + "/nope", org.apiToken());
        assertThat(nope.status()).isEqualTo(404);
        assertThat(nope.json().get("code").asText()).isEqualTo("case_not_found");
        assertThat(stack.http.get(list(workflow, "?status=Open"), other.manageToken()).status()).isEqualTo(404);
    }

    @Test
    void listingNeedsAStatusAndAnswersNewestFirstInPages() {
        long wf = stack.publishedWorkflow(org, REFUNDS);
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(stack.http.post(cases(wf), org.apiToken(), "{\"subject\": \"c" + i + "\", \"attributes\": {\"amount\": " + i + "}}")
                    .json().get("case").get("id").asLong());
        }
        var missing = stack.http.get(list(wf, ""), org.manageToken());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).contains("status");
        var two = stack.http.get(list(wf, "?status=Open&status=Closed"), org.manageToken());
        assertThat(two.status()).as("several statuses are refused, not silently matched against nothing")
                .isEqualTo(400);
        assertThat(two.json().get("error").asText()).contains("one status");
        assertThat(stack.http.get(list(wf, "?status=Open&limit=0"), org.manageToken()).status()).isEqualTo(400);
        assertThat(stack.http.get(list(wf, "?status=Open&limit=abc"), org.manageToken()).status()).isEqualTo(400);
        assertThat(stack.http.get(list(wf, "?status=Open&cursor=garbage"), org.manageToken()).status()).isEqualTo(400);

        List<Long> seen = new ArrayList<>();
        String cursor = null;
        do {
            var page = stack.http.get(list(wf, "?status=Open&limit=2" + (cursor == null ? "" : "&cursor=" + cursor)),
                    org.manageToken());
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            assertThat(page.json().get("cases").size()).isLessThanOrEqualTo(2);
            page.json().get("cases").forEach(c -> {
                assertThat(c.fieldNames()).toIterable().containsExactly("id", "workflow_id", "subject", "status",
                        "attributes", "created_at", "updated_at");
                seen.add(c.get("id").asLong());
            });
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asText();
            if (cursor != null) {
                // A cursor only pages through the list it came from.
                assertThat(stack.http.get(list(workflow, "?status=Open&cursor=" + cursor), org.manageToken()).status())
                        .isEqualTo(400);
            }
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(created.reversed());
        assertThat(stack.http.get(list(wf, "?status=Closed"), org.manageToken()).json().get("cases")).isEmpty();
        var standard = stack.http.get(list(stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW), "?status=Open"),
                org.manageToken());
        assertThat(standard.status()).isEqualTo(422);
    }

    @Test
    void fiftyConcurrentCreationsMakeFiftyCasesEachWithItsOwnRun() throws Exception {
        long wf = stack.publishedWorkflow(org, REFUNDS);
        stack.drainRunsQueue();
        List<Callable<LambdaHttp.Response>> posts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String body = "{\"subject\": \"parallel " + i + "\", \"attributes\": {\"amount\": " + i + "}}";
            posts.add(() -> stack.http.post(cases(wf), org.apiToken(), body));
        }
        Set<Long> ids = new HashSet<>();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (Future<LambdaHttp.Response> f : pool.invokeAll(posts)) {
                var response = f.get();
                assertThat(response.status()).as(response.toString()).isEqualTo(201);
                ids.add(response.json().get("case").get("id").asLong());
            }
        }
        assertThat(ids).hasSize(50);

        Set<Long> runIds = new HashSet<>();
        for (long id : ids) {
            var kase = stack.runtime.caseStore().find(id).orElseThrow();
            var run = stack.runtime.runStore().find(kase.runId()).orElseThrow();
            assertThat(run.caseId()).isEqualTo(id);
            runIds.add(run.id());
        }
        assertThat(runIds).hasSize(50);
        Set<Long> queued = new HashSet<>();
        stack.drainRunsQueue().forEach(m -> queued.add(m.get("run_id").asLong()));
        assertThat(queued).containsAll(runIds);

        Set<Long> listed = new HashSet<>();
        String cursor = null;
        do {
            var page = stack.http.get(list(wf, "?status=Open&limit=20" + (cursor == null ? "" : "&cursor=" + cursor)),
                    org.manageToken()).json();
            page.get("cases").forEach(c -> listed.add(c.get("id").asLong()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertThat(listed).isEqualTo(ids);
    }

    @Test
    void aQueueThatRefusesTheRunStoresNoCaseAndAnswers503() {
        Map<String, String> env = new HashMap<>(stack.environment);
        String url = env.get("KICKOFF_RUNS_QUEUE_URL");
        env.put("KICKOFF_RUNS_QUEUE_URL", url.substring(0, url.lastIndexOf('/') + 1) + "no-such-queue");
        var broken = new LambdaHttp(ApiContract.checking(new ApiHandler(env)), "api.kickoff.test");
        long wf = stack.publishedWorkflow(org, REFUNDS);

        var response = broken.post(cases(wf), org.apiToken(), "{\"subject\": \"doomed\", \"attributes\": {\"amount\": 1}}");

        assertThat(response.status()).as(response.toString()).isEqualTo(503);
        assertThat(response.json().get("code").asText()).isEqualTo("unavailable");
        assertThat(response.json().get("error").asText()).contains("could not be created", "Retry");
        // The run is queued before the case and the run are stored: a refused queue leaves nothing behind.
        assertThat(stack.http.get(list(wf, "?status=Error"), org.manageToken()).json().get("cases")).isEmpty();
        assertThat(stack.http.get(list(wf, "?status=Open"), org.manageToken()).json().get("cases")).isEmpty();
    }
}
