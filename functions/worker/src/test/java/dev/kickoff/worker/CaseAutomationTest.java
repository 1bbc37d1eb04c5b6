package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cases driven by their workflow's automation, executed by the worker handler from the real runs queue: statuses
 * moved by set_case (seen on the table's stream, as the webhooks will see them), and failed runs parking their
 * case in Error.
 */
class CaseAutomationTest {
    static StackResources resources;
    static Map<String, String> environment;
    static FunctionSpec worker;
    static CompositionRoot runtime;
    static Principal principal;
    static SqsEventSource queue;

    @BeforeAll
    static void setUp() {
        resources = TestAws.get().provision("case-automation");
        worker = FunctionSpec.of("WorkerFunction", resources);
        environment = new HashMap<>(worker.environment());
        environment.put("KICKOFF_RUN_LEASE_SECONDS", "1");
        runtime = new CompositionRoot(Settings.fromEnvironment(environment));
        var boot = runtime.organizations().create("case-automation");
        principal = new Principal(boot.organization().id(), 1, "tests", Scope.API);
        queue = new SqsEventSource(runtime.sqs(), resources, worker, worker.events(EventSource.Sqs.class).getFirst(),
                new RunWorkerHandler(environment));
    }

    static long publish(String steps) {
        var view = runtime.workflows().create(principal.orgId(), Json.parse("""
                {"name": "Refunds", "kind": "direct_case", "statuses": ["Awaiting customer"],
                 "attributeSchema": {"type": "object", "required": ["amount"],
                                     "properties": {"amount": {"type": "number"}, "n": {"type": "integer"}}},
                 "steps": %s}""".formatted(steps)));
        runtime.workflows().publish(principal.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static Case create(long workflow, String subject, String attributes) {
        return runtime.cases().create(principal, workflow,
                new CaseService.CaseRequest(Json.nodes().textNode(subject), Json.parse(attributes)));
    }

    static Case read(Case kase) {
        return runtime.caseStore().find(kase.id()).orElseThrow();
    }

    static Run run(Case kase) {
        return runtime.runStore().find(kase.runId()).orElseThrow();
    }

    /** Every status the case item had, in order, from the table's stream (what the webhooks consume). */
    static List<String> statusesOnTheStream(long caseId) {
        DynamoDbStreamsClient streams = TestAws.get().endpoints().streamsClient();
        String arn = resources.table("KickoffTable").streamArn();
        List<String> statuses = new ArrayList<>();
        for (var shard : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
            String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(current));
                for (Record r : page.records()) {
                    var keys = r.dynamodb().keys();
                    if (!("CASE#" + caseId).equals(keys.get("pk").s())) {
                        continue;
                    }
                    String before = r.dynamodb().hasOldImage() ? r.dynamodb().oldImage().get("status").s() : null;
                    String after = r.dynamodb().newImage().get("status").s();
                    if (!after.equals(before)) {
                        statuses.add(after);
                    }
                }
                iterator = page.records().isEmpty() ? null : page.nextShardIterator();
            }
        }
        return statuses;
    }

    @Test
    void aCaseIsMovedOpenToAwaitingCustomerToClosedByItsWorkflow() {
        long wf = publish("""
                [{"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer",
                   "attributes": {"note": "asked about {{case.subject}} while {{case.status}}"}}},
                 {"id": "decide", "type": "transform", "config": {"mapping": {
                   "refund": "{{case.attributes.amount | times: 1.5}}", "seen": "{{case.status}}"}}},
                 {"id": "close", "type": "set_case", "config": {"status": "Closed",
                   "attributes": {"refund": "{{steps.decide.output.refund}}", "note": null}}}]""");
        Case kase = create(wf, "Refund request", "{\"amount\": 42, \"reason\": \"late delivery\"}");

        assertThat(queue.drain()).isGreaterThanOrEqualTo(1);

        Case done = read(kase);
        assertThat(done.status()).isEqualTo("Closed");
        assertThat(Json.write(done.attributes())).isEqualTo("{\"amount\":42,\"reason\":\"late delivery\",\"refund\":63}");
        assertThat(done.updatedAt()).isAfterOrEqualTo(done.createdAt());
        Run run = run(kase);
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.steps()).extracting(s -> Json.write(s.output())).containsExactly(
                "{\"status\":\"Awaiting customer\",\"previous_status\":\"Open\"}",
                "{\"refund\":63,\"seen\":\"Awaiting customer\"}",
                "{\"status\":\"Closed\",\"previous_status\":\"Awaiting customer\"}");
        assertThat(Json.write(run.steps().getFirst().input()))
                .isEqualTo("{\"status\":\"Awaiting customer\",\"attributes\":{\"note\":\"asked about Refund request while Open\"}}");
        assertThat(statusesOnTheStream(kase.id())).containsExactly("Open", "Awaiting customer", "Closed");
        assertThat(runtime.cases().list(principal.orgId(), wf, "Closed", null, 10).items())
                .extracting(Case::id).containsExactly(kase.id());
        assertThat(runtime.cases().list(principal.orgId(), wf, "Awaiting customer", null, 10).items()).isEmpty();
    }

    @Test
    void aFailingRunParksItsCaseInError() {
        long wf = publish("""
                [{"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer"}},
                 {"id": "check", "type": "fail", "config": {"message": "cannot refund {{case.attributes.amount}}"}}]""");
        Case kase = create(wf, "Refund request", "{\"amount\": 42}");

        queue.drain();

        Run run = run(kase);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("step 'check' failed: cannot refund 42");
        Case parked = read(kase);
        assertThat(parked.status()).isEqualTo("Error");
        assertThat(parked.updatedAt()).isEqualTo(run.completedAt());
        assertThat(statusesOnTheStream(kase.id())).containsExactly("Open", "Awaiting customer", "Error");
        assertThat(runtime.cases().list(principal.orgId(), wf, "Error", null, 10).items())
                .extracting(Case::id).containsExactly(kase.id());
    }

    @Test
    void anUndeclaredStatusFailsTheStepAtRunTime() {
        long wf = publish("""
                [{"id": "move", "type": "set_case", "config": {"status": "{{input.next}}"}}]""");
        Case kase = create(wf, "Escalation", "{\"amount\": 1, \"next\": \"Escalated\"}");
        queue.drain();
        assertThat(run(kase).error()).contains("'Escalated' is not declared on this workflow");
        assertThat(read(kase).status()).isEqualTo("Error");
    }

    @Test
    void aRunGivenUpOnItsLastDeliveryParksItsCase() {
        long wf = publish("""
                [{"id": "call", "type": "test_always_down"}]""");
        Case kase = create(wf, "Flaky", "{\"amount\": 1}");
        int max = runtime.settings().maxReceiveCount();
        SQSBatchResponse response = new RunWorkerHandler(environment).handleRequest(event(kase.runId(), max),
                new LocalLambdaContext(worker));
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(run(kase).status()).isEqualTo(RunStatus.FAILED);
        assertThat(run(kase).error()).contains("gave up after");
        assertThat(read(kase).status()).isEqualTo("Error");
    }

    @Test
    void aRunResumedAfterItsWorkerDiedMidWriteDoesNotApplyTheWriteTwice() throws Exception {
        long wf = publish("""
                [{"id": "count", "type": "set_case", "config": {"attributes": {"n": "{{case.attributes.n | plus: 1}}"}}}]""");
        Case kase = create(wf, "Counter", "{\"amount\": 1, \"n\": 0}");
        queue.drain();
        assertThat(read(kase).attributes().get("n").asInt()).as("one execution, one increment").isEqualTo(1);

        // Now a worker that claims the run, makes the step's write, and dies before its checkpoint.
        Case second = create(wf, "Counter 2", "{\"amount\": 1, \"n\": 0}");
        Instant now = Instant.now();
        Run claimed = ((RunStore.ClaimResult.Claimed) runtime.runStore().claim(second.runId(), "doomed-worker", now,
                now.plusMillis(500))).run();
        Case written = second.with("Open", Json.parse("{\"amount\": 1, \"n\": 1}"), now);
        assertThat(runtime.caseStore().write(written, claimed, claimed.id() + "#count"))
                .isEqualTo(CaseStore.WriteResult.WRITTEN);
        Thread.sleep(700);  // its lease runs out; the queue redelivers

        queue.drain();

        Run resumed = run(second);
        assertThat(resumed.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(resumed.attempts()).isEqualTo(2);
        assertThat(read(second).attributes().get("n").asInt()).as("the repeated step changed nothing").isEqualTo(1);
        assertThat(Json.write(resumed.steps().getFirst().output())).isEqualTo("{\"status\":\"Open\",\"previous_status\":null}");
    }

    static SQSEvent event(long runId, int receiveCount) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-" + runId + "-" + receiveCount);
        m.setReceiptHandle("rh-" + m.getMessageId());
        m.setBody("{\"run_id\":" + runId + ",\"org_id\":" + principal.orgId() + "}");
        m.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
        m.setEventSource("aws:sqs");
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }
}
