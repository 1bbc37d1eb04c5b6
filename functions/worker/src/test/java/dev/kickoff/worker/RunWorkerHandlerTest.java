package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
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
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker handler, invoked with SQS events the way the event source mapping invokes it, on the emulators. */
class RunWorkerHandlerTest {
    static StackResources resources;
    static Map<String, String> environment;
    static FunctionSpec worker;
    static CompositionRoot runtime;
    static Principal principal;

    @BeforeAll
    static void setUp() {
        resources = TestAws.get().provision("worker");
        worker = FunctionSpec.of("WorkerFunction", resources);
        environment = new HashMap<>(worker.environment());
        environment.put("KICKOFF_RUN_LEASE_SECONDS", "1");
        runtime = new CompositionRoot(Settings.fromEnvironment(environment));
        var boot = runtime.organizations().create("worker-tests");
        principal = new Principal(boot.organization().id(), 1, "tests", Scope.API);
    }

    static RunWorkerHandler newWorker() {
        return new RunWorkerHandler(environment);
    }

    static long publish(String definition) {
        var view = runtime.workflows().create(principal.orgId(), Json.parse(definition));
        runtime.workflows().publish(principal.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static Run trigger(long workflow, String input) {
        return runtime.runs().start(principal, workflow, new RunRequest(Json.parse(input), null)).run();
    }

    static Run read(long runId) {
        return runtime.runStore().find(runId).orElseThrow();
    }

    /** The run's message as the event source mapping would hand it over, receive count included. */
    static SQSEvent.SQSMessage message(long runId, int receiveCount) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-" + runId + "-" + receiveCount + "-" + System.nanoTime());
        m.setReceiptHandle("rh-" + m.getMessageId());
        m.setBody("{\"run_id\":" + runId + ",\"org_id\":" + principal.orgId() + "}");
        m.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
        m.setEventSource("aws:sqs");
        return m;
    }

    static SQSEvent event(SQSEvent.SQSMessage... messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(messages));
        return e;
    }

    static SQSBatchResponse invoke(RunWorkerHandler handler, SQSEvent event) {
        return handler.handleRequest(event, new LocalLambdaContext(worker));
    }

    static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    static final String ORDER = """
            {"name": "order", "steps": [
              {"id": "calculate-total", "type": "transform", "config": {"mapping": {
                "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}}]}""";

    @Test
    void executesQueuedRunsFromTheRealQueue() {
        long wf = publish(ORDER);
        Run a = trigger(wf, "{\"items\": [{\"product\": \"Widget\", \"quantity\": 2, \"price\": 1999}]}");
        Run b = trigger(wf, "{\"items\": []}");
        var source = new SqsEventSource(runtime.sqs(), resources, worker,
                worker.events(EventSource.Sqs.class).getFirst(), newWorker());
        assertThat(source.drain()).isGreaterThanOrEqualTo(2);

        Run doneA = read(a.id());
        assertThat(doneA.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(doneA.output())).isEqualTo("{\"subtotal\":3998,\"tax\":319.84,\"total\":4317.84}");
        assertThat(Json.write(read(b.id()).output())).isEqualTo("{\"subtotal\":0,\"tax\":0,\"total\":0}");
        assertThat(doneA.attempts()).isEqualTo(1);
    }

    @Test
    void aDuplicateDeliveryNeverRunsARunTwice() throws Exception {
        long wf = publish("{\"name\": \"dup\", \"steps\": [{\"id\": \"p\", \"type\": \"test_probe\"}]}");
        Run run = trigger(wf, "{}");
        RunWorkerHandler first = newWorker();
        RunWorkerHandler second = newWorker();
        List<Callable<SQSBatchResponse>> deliveries = List.of(
                () -> invoke(first, event(message(run.id(), 1))),
                () -> invoke(second, event(message(run.id(), 1))));
        try (var pool = Executors.newFixedThreadPool(2)) {
            int kept = 0;
            for (Future<SQSBatchResponse> f : pool.invokeAll(deliveries)) {
                kept += f.get().getBatchItemFailures().size();
            }
            assertThat(kept).as("the losing duplicate is kept while the winner's lease is live, or deleted once done")
                    .isLessThanOrEqualTo(1);
        }
        // ...and a late duplicate after completion is simply deleted.
        assertThat(failed(invoke(newWorker(), event(message(run.id(), 2))))).isEmpty();

        assertThat(TestSteps.PROBES.get(run.id())).hasValue(1);
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.attempts()).isEqualTo(1);
    }

    @Test
    void aRunWhoseWorkerWasKilledResumesFromItsFirstUnfinishedStep() throws Exception {
        long wf = publish("""
                {"name": "resume", "steps": [{"id": "one", "type": "test_probe"},
                                             {"id": "two", "type": "test_crash_once"},
                                             {"id": "three", "type": "transform",
                                              "config": {"mapping": {"one": "{{steps.one.output.calls}}"}}}]}""");
        Run run = trigger(wf, "{}");
        SQSEvent.SQSMessage delivery = message(run.id(), 1);
        // Built before the first delivery: building one takes a while on a loaded machine, and the early redelivery
        // must reach its worker while the dead one's lease (1 s) still runs.
        RunWorkerHandler redelivered = newWorker();

        assertThatThrownBy(() -> invoke(newWorker(), event(delivery))).isInstanceOf(TestSteps.WorkerDied.class);
        Run stuck = read(run.id());
        assertThat(stuck.status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(stuck.steps()).extracting(s -> s.id()).containsExactly("one");

        // Redelivered while the dead worker's lease is still live: kept, not run.
        SQSEvent.SQSMessage early = message(run.id(), 2);
        assertThat(failed(invoke(redelivered, event(early)))).containsExactly(early.getMessageId());

        Thread.sleep(1_200);  // the lease (1 s in this test) runs out
        assertThat(failed(invoke(newWorker(), event(message(run.id(), 3))))).isEmpty();
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(TestSteps.PROBES.get(run.id())).as("step one is not run again").hasValue(1);
        assertThat(Json.write(done.output())).isEqualTo("{\"one\":1}");
    }

    @Test
    void transientFailuresAreRetriedAndTheLastDeliveryEndsTheRun() {
        long wf = publish("{\"name\": \"down\", \"steps\": [{\"id\": \"call\", \"type\": \"test_always_down\"}]}");
        Run run = trigger(wf, "{}");
        SQSEvent.SQSMessage first = message(run.id(), 1);
        assertThat(failed(invoke(newWorker(), event(first)))).containsExactly(first.getMessageId());
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.IN_PROGRESS);

        int max = runtime.settings().maxReceiveCount();
        assertThat(failed(invoke(newWorker(), event(message(run.id(), max))))).isEmpty();
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.error()).contains("gave up after", "connection refused by test dependency");
    }

    @Test
    void aBatchReportsOnlyTheMessagesThatMustStay() {
        long wf = publish(ORDER);
        Run good = trigger(wf, "{\"items\": []}");
        long down = publish("{\"name\": \"down2\", \"steps\": [{\"id\": \"call\", \"type\": \"test_always_down\"}]}");
        Run bad = trigger(down, "{}");
        SQSEvent.SQSMessage keep = message(bad.id(), 1);
        SQSEvent.SQSMessage garbage = message(0, 1);
        garbage.setBody("not json");
        SQSEvent.SQSMessage missing = message(123456789L, 1);
        var response = invoke(newWorker(), event(message(good.id(), 1), keep, garbage, missing));
        assertThat(failed(response)).containsExactly(keep.getMessageId());
        assertThat(read(good.id()).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aMessageWhoseRunIsNotStoredYetIsKeptUntilItIsTooOldForTheRunToAppear() {
        // Runs are queued before they are stored: a message can come before its run, or name one never stored.
        long never = 987654321L;
        SQSEvent.SQSMessage young = message(never, 1);
        young.setAttributes(Map.of("ApproximateReceiveCount", "1",
                "SentTimestamp", Long.toString(System.currentTimeMillis())));
        assertThat(failed(invoke(newWorker(), event(young)))).as("kept for a retry").containsExactly(young.getMessageId());

        SQSEvent.SQSMessage old = message(never, 2);
        old.setAttributes(Map.of("ApproximateReceiveCount", "2", "SentTimestamp",
                Long.toString(System.currentTimeMillis() - dev.kickoff.core.engine.RunTimings.UNSTORED_RUN_WAIT.toMillis() - 1000)));
        assertThat(failed(invoke(newWorker(), event(old)))).as("dropped: its run will never be stored").isEmpty();
    }

    @Test
    void aStepsRetryYieldsTheRunWithAHeldBackMessageAndTheNextAttemptFinishesIt() {
        long wf = publish("""
                {"name": "retry", "steps": [{"id": "call", "type": "test_flaky_once",
                  "retry": {"maxAttempts": 2, "backoff": "PT1S"}}]}""");
        Run run = trigger(wf, "{}");
        var source = new SqsEventSource(runtime.sqs(), resources, worker,
                worker.events(EventSource.Sqs.class).getFirst(), newWorker());

        assertThat(source.drain()).as("the first attempt: deferred, its message settled").isGreaterThanOrEqualTo(1);
        Run waiting = read(run.id());
        assertThat(waiting.status()).as("no Lambda holds the wait").isEqualTo(RunStatus.PENDING);
        assertThat(waiting.wakeAt()).isNotNull();
        assertThat(waiting.leaseOwner()).isNull();
        assertThat(waiting.steps()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("retrying");
            assertThat(r.error()).contains("503");
        });

        // The held-back message arrives once the backoff is over (SQS delays in whole seconds).
        for (int i = 0; i < 20 && read(run.id()).status() != RunStatus.COMPLETED; i++) {
            source.pollOnce(1);
        }
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).singleElement().satisfies(r -> assertThat(r.attempts()).isEqualTo(2));
        assertThat(Json.write(done.output())).isEqualTo("{\"attempt\":2}");
        assertThat(done.wakeAt()).isNull();
    }

    @Test
    void aCancelledRunIsNeverStartedAndAStepInFlightWhenItIsCancelledHasItsResultDiscarded() {
        long wf = publish("""
                {"name": "cancel", "steps": [{"id": "p", "type": "test_probe"}, {"id": "q", "type": "test_probe"}]}""");
        var controls = runtime.runControls();
        Run pending = trigger(wf, "{}");
        controls.cancel(principal, wf, pending.id(), "changed my mind");
        assertThat(failed(invoke(newWorker(), event(message(pending.id(), 1))))).as("its message is deleted").isEmpty();
        assertThat(TestSteps.PROBES).doesNotContainKey(pending.id());
        assertThat(read(pending.id()).error()).isEqualTo("the run was cancelled: changed my mind");
        assertThat(read(pending.id()).errorCode()).isEqualTo("cancelled");

        Run running = trigger(wf, "{}");
        TestSteps.WHILE_IN_FLIGHT.put(running.id(), () -> controls.cancel(principal, wf, running.id(), null));
        assertThat(failed(invoke(newWorker(), event(message(running.id(), 1))))).as("superseded: deleted").isEmpty();
        Run done = read(running.id());
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.errorCode()).isEqualTo("cancelled");
        assertThat(done.steps()).as("the step in flight finished; its result was discarded").isEmpty();
        assertThat(TestSteps.PROBES.get(running.id())).as("no further step started").hasValue(1);
        assertThat(done.leaseOwner()).isNull();
    }

    @Test
    void aFailedRunRetriedFromItsFailedStepAndAReplayBothRunFromTheRealQueue() {
        long wf = publish("""
                {"name": "redrive", "steps": [{"id": "one", "type": "test_probe"},
                                              {"id": "two", "type": "test_flaky_once"}]}""");
        Run run = trigger(wf, "{\"order\": 7}");
        var source = new SqsEventSource(runtime.sqs(), resources, worker,
                worker.events(EventSource.Sqs.class).getFirst(), newWorker());
        source.drain();
        Run failed = read(run.id());
        assertThat(failed.status()).as("no retry policy: the 503 fails the run").isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("http_503");

        Run retried = runtime.runControls().retry(principal, wf, run.id());
        assertThat(retried.status()).isEqualTo(RunStatus.PENDING);
        assertThat(source.drain()).isGreaterThanOrEqualTo(1);
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.retries()).isEqualTo(1);
        assertThat(TestSteps.PROBES.get(run.id())).as("step one kept its output: not run again").hasValue(1);

        Run replay = runtime.runs().replay(principal, wf, run.id(), false);
        source.drain();
        Run replayed = read(replay.id());
        assertThat(replayed.replayOf()).isEqualTo(run.id());
        assertThat(replayed.input()).isEqualTo(run.input());
        assertThat(replayed.status()).as("a new run: its own first call fails").isEqualTo(RunStatus.FAILED);
    }

    @Test
    void aShortDelaySuspendsTheRunAndItsHeldBackMessageResumesItFromTheRealQueue() {
        long wf = publish("""
                {"name": "delay", "steps": [{"id": "wait", "type": "delay", "config": {"duration": "PT1S"}},
                                            {"id": "after", "type": "transform", "config": {"mapping": {"ok": true}}}]}""");
        Run run = trigger(wf, "{}");
        var source = new SqsEventSource(runtime.sqs(), resources, worker,
                worker.events(EventSource.Sqs.class).getFirst(), newWorker());

        source.drain();
        Run waiting = read(run.id());
        assertThat(waiting.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(waiting.leaseOwner()).as("no Lambda holds the wait").isNull();
        assertThat(waiting.wakeAt()).isNotNull();

        for (int i = 0; i < 20 && read(run.id()).status() != RunStatus.COMPLETED; i++) {
            source.pollOnce(1);
        }
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.completedAt()).isAfterOrEqualTo(waiting.wakeAt());
        assertThat(Json.write(done.output())).isEqualTo("{\"ok\":true}");
    }

    @Test
    void aRunWaitingPastItsWorkflowsTimeoutWakesAtTheTimeoutAndFailsTimedOut() {
        long wf = publish("""
                {"name": "timeout", "timeout": "PT2S",
                 "steps": [{"id": "wait", "type": "delay", "config": {"duration": "P1D"}}]}""");
        Run run = trigger(wf, "{}");
        var source = new SqsEventSource(runtime.sqs(), resources, worker,
                worker.events(EventSource.Sqs.class).getFirst(), newWorker());
        source.drain();
        Run waiting = read(run.id());
        // Wall-clock time: on a loaded machine the first delivery may come after the timeout, and then the run fails
        // at once instead of waiting; either way it must end timed out, never wait out its day.
        if (waiting.status() != RunStatus.FAILED) {
            assertThat(waiting.status()).isEqualTo(RunStatus.SUSPENDED);
            assertThat(waiting.wakeAt()).as("the wait is cut at the timeout").isEqualTo(run.createdAt().plusSeconds(2));
        }

        for (int i = 0; i < 20 && read(run.id()).status() != RunStatus.FAILED; i++) {
            source.pollOnce(1);
        }
        Run failed = read(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("timed_out");
    }

    @Test
    void theTemplateSaysWhatTheLocalStackAndTheTestsAssume() {
        var sqs = worker.events(EventSource.Sqs.class);
        assertThat(sqs).hasSize(1);
        assertThat(sqs.getFirst().queue()).isEqualTo("RunsQueue");
        assertThat(sqs.getFirst().reportBatchItemFailures()).isTrue();
        assertThat(worker.handlerClass()).isEqualTo(RunWorkerHandler.class.getName());
        assertThat(environment).containsKeys("KICKOFF_TABLE", "KICKOFF_RUNS_QUEUE_URL", "KICKOFF_RUN_MAX_RECEIVE_COUNT");
        Message probe = receiveNothing();
        assertThat(probe).isNull();
    }

    private static Message receiveNothing() {
        var messages = runtime.sqs().receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(resources.queue("RunsDeadLetterQueue").url())
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).waitTimeSeconds(0).build()).messages();
        return messages.isEmpty() ? null : messages.getFirst();
    }
}
