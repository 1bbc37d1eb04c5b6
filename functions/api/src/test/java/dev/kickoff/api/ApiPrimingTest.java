package dev.kickoff.api;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Start-up and per-request work of the API handler: SnapStart priming warms the trigger path and leaves no trace
 * (no run, no message, and the handler still works); requests skip Micronaut's per-invocation Lambda context beans.
 */
class ApiPrimingTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static long workflow;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("priming");
        org = stack.newOrg();
        workflow = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
    }

    @BeforeEach
    void emptyQueue() {
        stack.drainRunsQueue();
    }

    static int runItems() {
        return stack.runtime.dynamo().scan(ScanRequest.builder().tableName(stack.environment.get("KICKOFF_TABLE"))
                .filterExpression("#type = :run").expressionAttributeNames(Map.of("#type", "type"))
                .expressionAttributeValues(Map.of(":run", AttributeValue.fromS("run"))).build()).count();
    }

    @Test
    void primingWritesNothingQueuesNothingAndTheNextTriggerWorks() {
        ApiHandler handler = new ApiHandler(stack.environment);
        int before = runItems();

        assertThat(handler.prime()).as("the priming request went through auth to its 401").isEqualTo(401);
        assertThat(handler.prime()).isEqualTo(401);

        assertThat(runItems()).isEqualTo(before);
        assertThat(stack.drainRunsQueue()).isEmpty();
        var created = new dev.kickoff.emulators.testing.LambdaHttp(handler, "api.kickoff.test")
                .post("/api/external/v1/workflows/" + workflow + "/runs", org.apiToken(), "{\"input\":{}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(stack.drainRunsQueue()).hasSize(1);
        assertThat(runItems()).isEqualTo(before + 1);
    }

    @Test
    void requestsDoNotRegisterTheLambdaContextAsABean() {
        ApiHandler handler = new ApiHandler(stack.environment);
        var created = new dev.kickoff.emulators.testing.LambdaHttp(handler, "api.kickoff.test")
                .post("/api/external/v1/workflows/" + workflow + "/runs", org.apiToken(), "{\"input\":{}}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(handler.getApplicationContext().findBean(com.amazonaws.services.lambda.runtime.Context.class))
                .as("Micronaut's per-request registration (about half the warm request's CPU) is skipped").isEmpty();
    }

    @Test
    void powertoolsSnapStartHookLoadsItsClassesOnThisClasspath() {
        // Powertools metrics registers this hook itself; it preloads a class list that includes its AspectJ aspect,
        // which cannot link without the AspectJ runtime (the hook would throw before every snapshot).
        assertThatCode(() -> new software.amazon.lambda.powertools.metrics.MetricsFactory().beforeCheckpoint(null))
                .doesNotThrowAnyException();
    }
}
