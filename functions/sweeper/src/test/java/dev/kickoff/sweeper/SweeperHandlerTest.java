package dev.kickoff.sweeper;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.ScheduleEventSource;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.worker.RunWorkerHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sweeper function as deployed: its handler class, invoked by the template's schedule with EventBridge's
 * Scheduled Event, against a fresh copy of the template's table and queues; the runs it recovers are executed by
 * the worker handler from the real runs queue. Timings are shortened through the environment: a grace and recovery
 * interval of {@value #GRACE_MILLIS} ms (the settings take fractions of a second), a lease of one second (a worker
 * under load must still finish a step within it). The pauses wait out those settings, with a margin.
 */
class SweeperHandlerTest {
    static final long GRACE_MILLIS = 300;
    static final long LEASE_MILLIS = 1_000;
    /** Past the grace (and so the interval, which equals it here), counted from when a run was created or listed. */
    static final long PAST_GRACE = GRACE_MILLIS + 100;
    StackResources resources;
    FunctionSpec sweeperSpec;
    Map<String, String> sweeperEnv;
    Map<String, String> workerEnv;
    CompositionRoot runtime;
    Principal principal;
    SqsEventSource worker;

    @BeforeEach
    void setUp() {
        resources = TestAws.get().provision("sweeper");
        sweeperSpec = FunctionSpec.of("SweeperFunction", resources);
        sweeperEnv = new HashMap<>(sweeperSpec.environment());
        String grace = java.math.BigDecimal.valueOf(GRACE_MILLIS, 3).toPlainString();
        sweeperEnv.putAll(Map.of("KICKOFF_SWEEP_GRACE_SECONDS", grace, "KICKOFF_SWEEP_MAX_INTERVAL_SECONDS", grace,
                "KICKOFF_RUN_LEASE_SECONDS", Long.toString(LEASE_MILLIS / 1000)));
        FunctionSpec workerSpec = FunctionSpec.of("WorkerFunction", resources);
        workerEnv = new HashMap<>(workerSpec.environment());
        workerEnv.put("KICKOFF_RUN_LEASE_SECONDS", Long.toString(LEASE_MILLIS / 1000));
        runtime = new CompositionRoot(Settings.fromEnvironment(workerEnv));
        var org = runtime.organizations().create("sweeper-tests").organization();
        principal = new Principal(org.id(), 1, "tests", Scope.API);
        worker = new SqsEventSource(runtime.sqs(), resources, workerSpec,
                workerSpec.events(EventSource.Sqs.class).getFirst(), new RunWorkerHandler(workerEnv));
    }

    /** The sweeper as its schedule invokes it. */
    ScheduleEventSource schedule(Map<String, String> environment) {
        return new ScheduleEventSource(resources, sweeperSpec, sweeperSpec.events(EventSource.Schedule.class).getFirst(),
                new SweeperHandler(environment));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> sweep(ScheduleEventSource schedule) {
        return (Map<String, Object>) schedule.fire(Instant.now());
    }

    long publish(String definition) {
        var view = runtime.workflows().create(principal.orgId(), Json.parse(definition));
        runtime.workflows().publish(principal.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static final String ORDER = """
            {"name": "order", "steps": [{"id": "total", "type": "transform",
              "config": {"mapping": {"total": "{{input.items | map: 'quantity * price' | sum}}"}}}]}""";

    /**
     * A pending run whose message is gone and that is listed: what a message dead-lettered before any worker claimed
     * its run leaves once the sweeper has taken the letter in. Only the sweeper can move it.
     */
    Run stranded(long workflow) {
        var wf = runtime.workflowStore().find(principal.orgId(), workflow).orElseThrow();
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Run run = new Run(runtime.ids().next(), principal.orgId(), workflow, wf.publishedVersion(), false, 1, "api",
                "tests", "live", Json.parse("{\"items\": [{\"quantity\": 2, \"price\": 1999}]}"), null, null, now,
                RunStatus.PENDING, null, null, List.of(), now, null, null, 0, null, null);
        runtime.runStore().create(run);
        runtime.runStore().watch(run.id(), now);
        return run;
    }

    Map<String, AttributeValue> item(long runId) {
        return runtime.dynamo().getItem(GetItemRequest.builder().tableName(runtime.settings().table())
                .key(Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN")))
                .consistentRead(true).build()).item();
    }

    Run read(long runId) {
        return runtime.runStore().find(runId).orElseThrow();
    }

    int messages(String queue) {
        var attributes = runtime.sqs().getQueueAttributes(b -> b.queueUrl(resources.queue(queue).url())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aListedPendingRunWhoseMessageIsGoneIsQueuedByASweepAndCompletes() {
        Run run = stranded(publish(ORDER));
        assertThat(item(run.id())).containsKeys("gsi2pk", "gsi2sk");
        assertThat(messages("RunsQueue")).isZero();

        pause(PAST_GRACE);
        Map<String, Object> report = sweep(schedule(sweeperEnv));
        assertThat(report).containsEntry("requeued", 1).containsEntry("complete", true);
        assertThat(item(run.id()).get("recoveries").n()).isEqualTo("1");
        assertThat(item(run.id())).containsKey("recovered_at");

        assertThat(worker.drain()).isEqualTo(1);
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"total\":3998}");
        assertThat(item(run.id())).as("out of the active-runs index").doesNotContainKeys("gsi2pk", "gsi2sk");
        pause(PAST_GRACE);
        assertThat(sweep(schedule(sweeperEnv))).containsEntry("examined", 0);
    }

    @Test
    void aSweepLeavesYoungAndLeasedRunsAlone() {
        long wf = publish(ORDER);
        Run young = stranded(wf);
        Map<String, String> twoMinutes = new HashMap<>(sweeperSpec.environment());  // the template's own grace
        assertThat(sweep(schedule(twoMinutes))).containsEntry("examined", 0).containsEntry("requeued", 0);

        Run leased = stranded(wf);
        Instant now = Instant.now();
        runtime.runStore().claim(leased.id(), "a-live-worker", now, now.plusSeconds(60));
        pause(PAST_GRACE);
        ScheduleEventSource fast = schedule(sweeperEnv);
        Map<String, Object> report = sweep(fast);
        assertThat(report).containsEntry("examined", 2).containsEntry("requeued", 1);
        assertThat(item(young.id()).get("recoveries").n()).isEqualTo("1");
        assertThat(item(leased.id())).as("its worker is still at it").doesNotContainKey("recoveries");
        assertThat(read(leased.id()).status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(messages("RunsQueue")).isEqualTo(1);
    }

    @Test
    void aRunWhoseWorkerDiedAndWhoseMessageWasDeadLetteredIsRecovered() {
        long wf = publish("""
                {"name": "dies-once", "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}},
                                                {"id": "b", "type": "test_crash_once"}]}""");
        Run run = runtime.runs().start(principal, wf, new RunRequest(Json.object(), null)).run();
        assertThat(item(run.id())).as("queued before it was stored: not listed").doesNotContainKey("gsi2pk");
        String queue = resources.queue("RunsQueue").url();

        // First delivery: the worker dies mid-run (the run stays in progress under its lease).
        Message first = runtime.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(queue)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).waitTimeSeconds(1).build()).messages()
                .getFirst();
        assertThatThrownBy(() -> new RunWorkerHandler(workerEnv).handleRequest(event(first),
                new LocalLambdaContext(FunctionSpec.of("WorkerFunction", resources))))
                .isInstanceOf(CrashSteps.WorkerDied.class);
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.IN_PROGRESS);
        runtime.sqs().changeMessageVisibility(b -> b.queueUrl(queue).receiptHandle(first.receiptHandle())
                .visibilityTimeout(0));
        // The second delivery reaches a worker while the dead one's lease still runs: a redelivery, so the run is
        // listed for the sweeper; the message is kept (put back here at once).
        Message second = runtime.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(queue)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).waitTimeSeconds(1).build()).messages()
                .getFirst();
        var busy = new RunWorkerHandler(workerEnv).handleRequest(event(second),
                new LocalLambdaContext(FunctionSpec.of("WorkerFunction", resources)));
        assertThat(busy.getBatchItemFailures()).hasSize(1);
        assertThat(item(run.id())).containsKeys("gsi2pk", "gsi2sk");
        runtime.sqs().changeMessageVisibility(b -> b.queueUrl(queue).receiptHandle(second.receiptHandle())
                .visibilityTimeout(0));
        // The deliveries that follow never get anywhere; past maxReceiveCount the queue dead-letters it.
        for (int i = 0; i < 10 && messages("RunsDeadLetterQueue") == 0; i++) {
            runtime.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(queue).visibilityTimeout(0)
                    .waitTimeSeconds(0).build());
        }
        assertThat(messages("RunsDeadLetterQueue")).isEqualTo(1);
        assertThat(messages("RunsQueue")).isZero();

        pause(LEASE_MILLIS + PAST_GRACE);  // the lease runs out, then the grace
        assertThat(sweep(schedule(sweeperEnv))).containsEntry("requeued", 1);
        assertThat(worker.drain()).isEqualTo(1);
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).extracting(s -> s.id()).containsExactly("a", "b");
        assertThat(item(run.id())).doesNotContainKeys("gsi2pk", "gsi2sk");
        assertThat(item(run.id()).get("recoveries").n()).isEqualTo("1");
    }

    @Test
    void aRunWhoseMessageWasDeadLetteredBeforeAnyWorkerSawItIsTakenInListedAndRun() {
        Run run = runtime.runs().start(principal, publish(ORDER), new RunRequest(Json.parse(
                "{\"items\": [{\"quantity\": 3, \"price\": 100}]}"), null)).run();
        assertThat(item(run.id())).as("queued before it was stored: not listed").doesNotContainKey("gsi2pk");
        String queue = resources.queue("RunsQueue").url();
        // Every delivery fails before the worker's code runs (throttling, an invocation dying at start-up): the
        // receives are used up and the queue dead-letters the message with the run never listed.
        for (int i = 0; i < 10 && messages("RunsDeadLetterQueue") == 0; i++) {
            runtime.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(queue).visibilityTimeout(0)
                    .waitTimeSeconds(0).build());
        }
        assertThat(messages("RunsDeadLetterQueue")).isEqualTo(1);
        assertThat(messages("RunsQueue")).isZero();

        Map<String, Object> first = sweep(schedule(sweeperEnv));
        assertThat(first).containsEntry("dead_letters_listed", 1);
        assertThat(item(run.id())).containsKeys("gsi2pk", "gsi2sk");
        assertThat(messages("RunsDeadLetterQueue")).as("taken in").isZero();

        pause(PAST_GRACE);  // the grace, counted from the listing
        assertThat(sweep(schedule(sweeperEnv))).containsEntry("requeued", 1);
        assertThat(worker.drain()).isEqualTo(1);
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"total\":300}");
        assertThat(item(run.id())).doesNotContainKeys("gsi2pk", "gsi2sk");
    }

    @Test
    void aRunThatCanNeverBeExecutedEndsFailedAfterThreeRecoveriesWithItsCaseInError() {
        var view = runtime.workflows().create(principal.orgId(), Json.parse("""
                {"name": "Refunds", "kind": "direct_case", "steps": [{"id": "boom", "type": "test_crash_always"}]}"""));
        runtime.workflows().publish(principal.orgId(), view.workflow().id(), null);
        Case kase = runtime.cases().create(principal, view.workflow().id(),
                new CaseService.CaseRequest(null, Json.parse("{\"amount\": 42}")));
        long runId = kase.runId();
        // Its message's redelivery (or dead letter) listed it, as one does once a worker has died on it.
        runtime.runStore().watch(runId, Instant.now());
        ScheduleEventSource schedule = schedule(sweeperEnv);
        int givenUp = 0;
        // Rounds until it fails or a minute has gone by (four deliveries, each dying under a 1 s lease, take ~6 s).
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (read(runId).status() != RunStatus.FAILED && System.nanoTime() < deadline) {
            worker.pollOnce(0);  // a delivery, if there is one: the worker dies
            pause(GRACE_MILLIS);
            givenUp += (int) sweep(schedule).get("given_up");
        }
        Run failed = read(runId);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).contains("given up", "after 3 recoveries");
        assertThat(givenUp).isEqualTo(1);
        assertThat(CrashSteps.CALLS.get(runId)).as("the first delivery and three recoveries").hasValue(4);
        assertThat(runtime.caseStore().find(kase.id()).orElseThrow().status()).isEqualTo(Case.ERROR);
        assertThat(item(runId).get("recoveries").n()).isEqualTo("3");
        assertThat(item(runId)).doesNotContainKeys("gsi2pk", "gsi2sk", "lease_owner");
    }

    @Test
    void twoConcurrentSweepsCountAndQueueEachRunOnce() throws Exception {
        long wf = publish(ORDER);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(stranded(wf).id());
        }
        // A grace of 3 s: the next recovery of a run would wait 6 s, far longer than two sweeps take, so a second
        // message could only come from a double count.
        Map<String, String> env = new HashMap<>(sweeperEnv);
        env.putAll(Map.of("KICKOFF_SWEEP_GRACE_SECONDS", "3", "KICKOFF_SWEEP_MAX_INTERVAL_SECONDS", "60"));
        pause(3_100);
        // Two instances of the function, as two overlapping schedule invocations would get.
        ScheduleEventSource a = schedule(env);
        ScheduleEventSource b = schedule(env);
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Map<String, Object>>> both = List.of(() -> {
            start.await();
            return sweep(a);
        }, () -> {
            start.await();
            return sweep(b);
        });
        int requeued = 0;
        try (var pool = Executors.newFixedThreadPool(2)) {
            List<Future<Map<String, Object>>> reports = both.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Map<String, Object>> r : reports) {
                requeued += (int) r.get().get("requeued");
            }
        }
        assertThat(requeued).isEqualTo(30);
        assertThat(messages("RunsQueue")).isEqualTo(30);
        for (long id : ids) {
            assertThat(item(id).get("recoveries").n()).as("run " + id).isEqualTo("1");
        }
        assertThat(worker.drain()).isEqualTo(30);
        assertThat(ids).allSatisfy(id -> assertThat(read(id).status()).isEqualTo(RunStatus.COMPLETED));
    }

    @Test
    void aLongWaitIsWokenByASweepThatSendsItsMessageAndTheWorkerResumesIt() {
        long wf = publish("""
                {"name": "long wait", "steps": [{"id": "wait", "type": "delay", "config": {"duration": "P3D"}},
                                                {"id": "after", "type": "transform", "config": {"mapping": {"ok": true}}}]}""");
        Run run = runtime.runs().start(principal, wf, new RunRequest(Json.object(), null)).run();
        assertThat(worker.drain()).isEqualTo(1);
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(item(run.id())).as("listed in the wake-up index").containsKeys("wake_pk", "wake_sk");
        assertThat(messages("RunsQueue")).as("no message can be held back three days").isZero();
        assertThat(sweep(schedule(sweeperEnv))).containsEntry("woken", 0);

        // Three days later: the wait began three days ago and its wake time has passed (as the clock would have it).
        Instant began = Instant.now().minus(java.time.Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant wake = began.plus(java.time.Duration.ofDays(3));
        var steps = (com.fasterxml.jackson.databind.node.ArrayNode) Json.read(item(run.id()).get("steps").s());
        ((com.fasterxml.jackson.databind.node.ObjectNode) steps.get(0)).put("started_at", began.toString());
        String sortable = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(wake);
        runtime.dynamo().updateItem(b -> b.tableName(runtime.settings().table())
                .key(Map.of("pk", AttributeValue.fromS("RUN#" + run.id()), "sk", AttributeValue.fromS("RUN")))
                .updateExpression("SET wake_at = :at, wake_sk = :sk, steps = :steps")
                .expressionAttributeValues(Map.of(
                        ":at", AttributeValue.fromN(Long.toString(wake.toEpochMilli())),
                        ":sk", AttributeValue.fromS(sortable + "#" + String.format("%016d", run.id()) + "#"
                                + principal.orgId()),
                        ":steps", AttributeValue.fromS(Json.write(steps)))));

        assertThat(sweep(schedule(sweeperEnv))).containsEntry("woken", 1);
        assertThat(worker.drain()).isGreaterThanOrEqualTo(1);
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(item(run.id())).as("the claim that woke it took it out of the index")
                .doesNotContainKeys("wake_pk", "wake_sk", "wake_at");
    }

    @Test
    void theSweepersSettingsComeFromTheTemplate() {
        var timings = Settings.fromEnvironment(sweeperSpec.environment()).timings();
        assertThat(timings.sweep().grace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(timings.sweep().maxRecoveries()).isEqualTo(3);
        assertThat(timings.sweep().maxInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(timings.sweep().maxRuns()).isEqualTo(2000);
        assertThat(timings.lease()).isEqualTo(Duration.ofSeconds(60));
        assertThat(Settings.fromEnvironment(sweeperSpec.environment()).runsDeadLetterUrl())
                .contains("RunsDeadLetterQueue");
    }

    static SQSEvent event(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        Map<String, String> attributes = new HashMap<>();
        m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
        r.setAttributes(attributes);
        r.setEventSource("aws:sqs");
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(r));
        return e;
    }
}
