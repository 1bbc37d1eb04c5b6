package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The {@code wait_for_signal} step through the worker handler and the real queue on the emulators: a signal wakes a
 * suspended run, one sent while the run is still working is kept and taken at the wait, and a signal and the step's
 * timeout end in exactly one of them, whichever lands first.
 */
class SignalsWorkerTest {
    static StackResources resources;
    static FunctionSpec worker;
    static CompositionRoot runtime;
    static Principal principal;
    static RunControls controls;

    @BeforeAll
    static void setUp() {
        resources = TestAws.get().provision("worker-signals");
        worker = FunctionSpec.of("WorkerFunction", resources);
        Map<String, String> environment = new HashMap<>(worker.environment());
        environment.put("KICKOFF_RUN_LEASE_SECONDS", "1");
        runtime = new CompositionRoot(Settings.fromEnvironment(environment));
        var boot = runtime.organizations().create("worker-signals");
        principal = new Principal(boot.organization().id(), 1, "tests", Scope.API);
        controls = runtime.runControls();
    }

    static long publish(String definition) {
        var view = runtime.workflows().create(principal.orgId(), Json.parse(definition));
        runtime.workflows().publish(principal.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static Run trigger(long workflow) {
        return runtime.runs().start(principal, workflow, new RunRequest(Json.object(), null)).run();
    }

    static Run read(long runId) {
        return runtime.runStore().find(runId).orElseThrow();
    }

    static SqsEventSource source() {
        return new SqsEventSource(runtime.sqs(), resources, worker, worker.events(EventSource.Sqs.class).getFirst(),
                new RunWorkerHandler(new HashMap<>(worker.environment())));
    }

    static SQSEvent event(long runId) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-" + runId + "-" + System.nanoTime());
        m.setReceiptHandle("rh-" + m.getMessageId());
        m.setBody("{\"run_id\":" + runId + ",\"org_id\":" + principal.orgId() + "}");
        m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        m.setEventSource("aws:sqs");
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }

    static final String APPROVAL = """
            {"name": "approval", "output": {"by": "{{steps.approve.output.by}}"},
             "steps": [{"id": "first", "type": "test_probe"},
                       {"id": "approve", "type": "wait_for_signal", "config": %s},
                       {"id": "done", "type": "transform", "config": {"mapping": {"approved": true}}}]}""";

    @Test
    void aSignalWakesTheSuspendedRunFromTheRealQueue() {
        long wf = publish(APPROVAL.formatted("{\"signal\": \"approved\"}"));
        Run run = trigger(wf);
        var source = source();
        source.drain();
        Run waiting = read(run.id());
        assertThat(waiting.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(waiting.leaseOwner()).as("no Lambda holds the wait").isNull();
        assertThat(waiting.wakeAt()).as("no timeout: nothing but the signal wakes it").isNull();

        RunControls.Signalled signalled = controls.signal(principal, wf, run.id(), "approved",
                Json.parse("{\"by\": \"ana\"}"), null);
        assertThat(signalled.run().status()).isEqualTo(RunStatus.PENDING);
        assertThat(source.drain()).as("the signal queued the run").isGreaterThanOrEqualTo(1);

        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"by\":\"ana\"}");
        assertThat(done.signals().kept()).as("taken once").isEmpty();
        assertThat(TestSteps.PROBES.get(run.id())).as("the step before the wait ran once").hasValue(1);
    }

    @Test
    void aSignalSentWhileTheRunIsWorkingIsKeptAndTakenAtTheWaitWithoutSuspending() {
        long wf = publish(APPROVAL.formatted("{\"signal\": \"approved\"}"));
        Run run = trigger(wf);
        // The client's signal lands while the worker is in the step before the wait.
        TestSteps.WHILE_IN_FLIGHT.put(run.id(), () -> assertThat(controls.signal(principal, wf, run.id(), "approved",
                Json.parse("{\"by\": \"bo\"}"), null).run().status()).isEqualTo(RunStatus.IN_PROGRESS));

        source().drain();

        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"by\":\"bo\"}");
        assertThat(done.signals().kept()).isEmpty();
    }

    @Test
    void aSignalThatLandsBeforeTheTimeoutWinsAndTheTimeoutsMessageFindsTheRunFinished() {
        long wf = publish(APPROVAL.formatted("{\"signal\": \"approved\", \"timeout\": \"PT1M\"}"));
        Run run = trigger(wf);
        var source = source();
        source.drain();
        Run waiting = read(run.id());
        assertThat(waiting.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(waiting.wakeAt()).as("the timeout's wake time").isNotNull();

        controls.signal(principal, wf, run.id(), "approved", Json.parse("{\"by\": \"cy\"}"), null);
        source.drain();
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.COMPLETED);
        // The timeout's held-back message (delivered here by hand rather than waiting its minute) finds the run
        // finished: it is deleted and changes nothing.
        var late = new RunWorkerHandler(new HashMap<>(worker.environment())).handleRequest(event(run.id()),
                new LocalLambdaContext(worker));
        assertThat(late.getBatchItemFailures()).as("deleted, not kept").isEmpty();
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"by\":\"cy\"}");
    }

    @Test
    void aTimeoutThatLandsBeforeTheSignalWinsAndTheSignalIsRefused() {
        long wf = publish(APPROVAL.formatted("{\"signal\": \"approved\", \"timeout\": \"PT1S\"}"));
        Run run = trigger(wf);
        var source = source();
        source.drain();

        // The wake-up at the timeout claims the run (its CLAIM needs the run suspended, as the signal's write does).
        for (int i = 0; i < 20 && read(run.id()).status() != RunStatus.FAILED; i++) {
            source.pollOnce(1);
        }
        Run failed = read(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).as("the step's own timeout, not the run's").isEqualTo("signal_timeout");

        KickoffException refused = catchThrowableOfType(KickoffException.class, () -> controls.signal(principal, wf,
                run.id(), "approved", Json.object(), null));
        assertThat(refused.reason()).as("a finished run takes no signal").isEqualTo(Reason.CONFLICT);
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void onTimeoutContinueGoesOnWithANullOutput() {
        long wf = publish(APPROVAL.formatted("{\"signal\": \"approved\", \"timeout\": \"PT1S\", \"on_timeout\": \"continue\"}"));
        Run run = trigger(wf);
        var source = source();
        source.drain();
        for (int i = 0; i < 20 && read(run.id()).status() != RunStatus.COMPLETED; i++) {
            source.pollOnce(1);
        }
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps().get(1).status()).isEqualTo("completed");
        assertThat(done.steps().get(1).output() == null || done.steps().get(1).output().isNull())
                .as("the step's output is null").isTrue();
    }
}
