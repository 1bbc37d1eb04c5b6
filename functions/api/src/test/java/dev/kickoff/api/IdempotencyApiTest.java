package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.workspace.WorkspaceIds;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency keys through the deployed handler: every shape, under concurrency, with expiry and conflicts. */
class IdempotencyApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static long invoice;
    static final String INPUT = "{\"customerId\": \"cus_1\", \"amount\": 9900}";

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("idempotency-api");
        org = stack.newOrg();
        invoice = stack.publishedWorkflow(org, SeedWorkflows.CREATE_INVOICE);
    }

    @BeforeEach
    void emptyQueue() {
        stack.drainRunsQueue();
    }

    static LambdaHttp.Response v1(String body) {
        return stack.http.send("POST", "/api/v1/workflows/wf_" + invoice + "/run", body,
                "x-api-key", org.apiToken(), "Content-Type", "application/json");
    }

    static LambdaHttp.Response canonical(String body, String key) {
        return stack.http.send("POST", "/api/external/v1/workflows/" + invoice + "/runs", body,
                "Authorization", "Bearer " + org.apiToken(), "Idempotency-Key", key);
    }

    static <T> List<T> concurrently(int n, Callable<T> call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<T>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(() -> {
                go.await();
                return call.call();
            });
        }
        List<T> results = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(n)) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> t : tasks) {
                futures.add(pool.submit(t));
            }
            go.countDown();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
        }
        return results;
    }

    @Test
    void twentyConcurrentRequestsWithOneKeyCreateOneRunAndGetIdenticalAnswers() throws Exception {
        String body = "{\"input\": " + INPUT + ", \"idempotencyKey\": \"process-order-123\"}";
        List<LambdaHttp.Response> answers = concurrently(20, () -> v1(body));

        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isEqualTo(201));
        assertThat(answers).extracting(LambdaHttp.Response::body).containsOnly(answers.getFirst().body());
        assertThat(answers).filteredOn(a -> a.header("Idempotent-Replayed") == null).hasSize(1);
        assertThat(answers).filteredOn(a -> "true".equals(a.header("Idempotent-Replayed"))).hasSize(19);
        long runId = Long.parseLong(answers.getFirst().json().get("data").get("runId").asText().substring(4));
        assertThat(stack.drainRunsQueue()).as("only the created run is queued")
                .extracting(m -> m.get("run_id").asLong()).containsExactly(runId);
    }

    @Test
    void theCanonicalApiTakesTheKeyAsAHeaderAndAnswersTheSameStatusOnReplay() throws Exception {
        List<LambdaHttp.Response> answers = concurrently(10, () -> canonical("{\"input\": " + INPUT + "}", "canon-1"));
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(201));
        assertThat(answers).extracting(a -> a.json().get("workflow_run").get("id").asLong()).containsOnly(
                answers.getFirst().json().get("workflow_run").get("id").asLong());
        assertThat(answers).filteredOn(a -> "true".equals(a.header("Idempotent-Replayed"))).hasSize(9);
        assertThat(answers).extracting(a -> a.header("Location")).containsOnly(answers.getFirst().header("Location"));
        assertThat(stack.drainRunsQueue()).hasSize(1);
    }

    @Test
    void aKeyIsSharedByEveryShapeForTheSameWorkflow() {
        JsonNode first = canonical("{\"input\": " + INPUT + "}", "shared-1").json().get("workflow_run");
        long runId = first.get("id").asLong();

        var v1 = stack.http.send("POST", "/api/v1/workflows/" + invoice + "/run",
                "{\"input\": " + INPUT + "}", "x-api-key", org.apiToken(), "Idempotency-Key", "shared-1");
        assertThat(v1.status()).isEqualTo(201);
        assertThat(v1.json().get("data").get("runId").asText()).isEqualTo("run_" + runId);
        assertThat(v1.header("Idempotent-Replayed")).isEqualTo("true");

        var workspace = stack.http.send("POST", "/api/v1/workspaces/" + WorkspaceIds.encode(Kind.WORKSPACE, org.id())
                        + "/workflows/" + WorkspaceIds.encode(Kind.WORKFLOW, invoice) + "/trigger",
                "{\"trigger_payload\": " + INPUT + "}", "Authorization", "Bearer " + org.apiToken(),
                "Idempotency-Key", "shared-1");
        assertThat(workspace.status()).isEqualTo(200);
        assertThat(workspace.json().get("id").asText()).isEqualTo(WorkspaceIds.encode(Kind.RUN, runId));
        assertThat(workspace.header("Idempotent-Replayed")).isEqualTo("true");

        var minimal = stack.http.send("POST", "/workflows/" + invoice + "/run", "{\"payload\": " + INPUT + "}",
                "X-API-KEY", org.apiToken(), "Idempotency-Key", "shared-1");
        assertThat(minimal.status()).isEqualTo(200);
        assertThat(minimal.json().get("data").get("execution_id").asText()).isEqualTo("exec_" + runId);
        assertThat(stack.drainRunsQueue()).hasSize(1);
    }

    @Test
    void theSameKeyWithADifferentRequestIs409InEveryShape() {
        assertThat(v1("{\"input\": " + INPUT + ", \"idempotencyKey\": \"k-409\"}").status()).isEqualTo(201);

        var v1 = v1("{\"input\": {\"customerId\": \"cus_2\", \"amount\": 9900}, \"idempotencyKey\": \"k-409\"}");
        assertThat(v1.status()).isEqualTo(409);
        assertThat(v1.json().get("error").get("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(v1.json().get("error").get("message").asText()).contains("k-409").contains("different request");

        var connection = v1("{\"input\": " + INPUT + ", \"connectionId\": \"conn_b\", \"idempotencyKey\": \"k-409\"}");
        assertThat(connection.status()).as("connectionId is part of the request").isEqualTo(409);

        var canonical = canonical("{\"input\": {}}", "k-409");
        assertThat(canonical.status()).isEqualTo(409);
        assertThat(canonical.json().get("code").asText()).isEqualTo("idempotency_key_reused");
        assertThat(stack.drainRunsQueue()).hasSize(1);
    }

    @Test
    void anExpiredKeyIsFreeEvenBeforeTtlDeletesIt() {
        var first = v1("{\"input\": " + INPUT + ", \"idempotencyKey\": \"k-exp\"}");
        String firstRun = first.json().get("data").get("runId").asText();
        // 24 hours later: the item is still there (TTL deletion is late), with expires_at in the past
        stack.runtime.dynamo().updateItem(b -> b.tableName(stack.runtime.settings().table())
                .key(Map.of("pk", AttributeValue.fromS("IDEM#" + org.id() + "#" + invoice + "#k-exp"),
                        "sk", AttributeValue.fromS("IDEM")))
                .updateExpression("SET expires_at = :past")
                .expressionAttributeValues(Map.of(":past", AttributeValue.fromN(
                        Long.toString(System.currentTimeMillis() / 1000 - 1)))));
        var again = v1("{\"input\": " + INPUT + ", \"idempotencyKey\": \"k-exp\"}");
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isNull();
        assertThat(again.json().get("data").get("runId").asText()).isNotEqualTo(firstRun);
        // and the new run holds the key from now on
        assertThat(v1("{\"input\": " + INPUT + ", \"idempotencyKey\": \"k-exp\"}").json().get("data").get("runId").asText())
                .isEqualTo(again.json().get("data").get("runId").asText());
    }

    @Test
    void badKeysAreRefusedBeforeAnythingIsCreated() {
        var spaces = v1("{\"input\": " + INPUT + ", \"idempotencyKey\": \"has space\"}");
        assertThat(spaces.status()).isEqualTo(400);
        assertThat(spaces.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(canonical("{}", "x".repeat(256)).status()).isEqualTo(400);
        var mismatch = stack.http.send("POST", "/api/v1/workflows/" + invoice + "/run",
                "{\"input\": " + INPUT + ", \"idempotencyKey\": \"a\"}", "x-api-key", org.apiToken(),
                "Idempotency-Key", "b");
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.json().get("error").get("message").asText()).contains("differ");
        assertThat(stack.drainRunsQueue()).isEmpty();
    }

    @Test
    void theCanonicalApiValidatesTheInputSchemaWithJsonPointers() {
        var response = stack.http.post("/api/external/v1/workflows/" + invoice + "/runs", org.apiToken(),
                "{\"input\": {\"amount\": 9900}}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body()).isEqualTo("{\"error\":\"input_validation_failed\",\"message\":\"Input validation failed\","
                + "\"validation_errors\":[{\"path\":\"/customerId\",\"error\":\"value at `/customerId` is required\"}]}");
        var ok = stack.http.post("/api/external/v1/workflows/" + invoice + "/runs", org.apiToken(), "{\"input\": " + INPUT + "}");
        assertThat(ok.json().get("workflow_run").get("input").get("currency").asText()).isEqualTo("usd");
    }
}
