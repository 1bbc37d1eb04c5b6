package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunSignals;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.testing.InMemoryActiveRuns;
import dev.kickoff.core.testing.InMemoryRunStore;
import dev.kickoff.core.testing.InMemoryWakeups;
import dev.kickoff.core.testing.InMemoryWorkflowStore;
import dev.kickoff.core.testing.MutableClock;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinitions;
import dev.kickoff.core.workflow.WorkflowService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The {@code wait_for_signal} step and the signals API's core: a run suspends at its wait and a signal resumes it, a
 * signal that comes early is kept until the run gets there, and each race (a signal against the step's timeout, a
 * signal against the worker going to sleep, a signal against a cancel) ends in exactly one of its sides, driven
 * deterministically with a hand-moved clock and hooks in the store.
 */
class SignalTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    record Sent(long runId, Duration delay) {
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    /** The store, with a hook run right after a claim lands (a client acting while the worker holds the run). */
    Runnable afterClaim;
    InMemoryRunStore runs = new InMemoryRunStore() {
        @Override
        public synchronized ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil) {
            ClaimResult result = super.claim(runId, owner, now, leaseUntil);
            Runnable hook = afterClaim;
            afterClaim = null;
            if (hook != null && result instanceof ClaimResult.Claimed) {
                hook.run();
            }
            return result;
        }
    };
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    List<Sent> sent = new ArrayList<>();
    RunQueue queue = new RunQueue() {
        @Override
        public void enqueue(long orgId, long runId) {
            sent.add(new Sent(runId, Duration.ZERO));
        }

        @Override
        public void enqueue(long orgId, long runId, Duration delay) {
            sent.add(new Sent(runId, delay));
        }
    };
    StepRegistry registry = StepRegistry.standard();
    WorkflowService workflowService;
    RunService runService;
    RunControls controls;
    RunExecutor executor;
    RunSweeper sweeper;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        VersionCache versions = new VersionCache(workflows, 16);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, queue, ids, clock, RunObserver.NONE);
        controls = new RunControls(runs, null, queue, versions, clock);
        executor = new RunExecutor(runs, null, versions, registry, clock, Duration.ofSeconds(60), RunObserver.NONE,
                queue);
        sweeper = new RunSweeper(new InMemoryActiveRuns(runs), new InMemoryWakeups(runs), queue, executor, clock,
                RunSweeper.Settings.defaults());
    }

    static final String APPROVAL = """
            {"name": "approval", "output": {"order": "{{steps.total.output.total}}", "by": "{{steps.approve.output.by}}"},
             "steps": [{"id": "total", "type": "transform", "config": {"mapping": {"total": 42}}},
                       {"id": "approve", "type": "wait_for_signal", "config": %s},
                       {"id": "done", "type": "transform", "config": {"mapping": {"approved": true}}}]}""";

    Run start(String waitConfig) {
        var view = workflowService.create(ORG.orgId(), Json.parse(APPROVAL.formatted(waitConfig)));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Run run = runService.start(ORG, view.workflow().id(), new RunRequest(Json.object(), null)).run();
        sent.clear();
        return run;
    }

    Outcome deliver(Run run) {
        return executor.execute(new Delivery(run.id(), "w-" + System.nanoTime(), 1, false, null));
    }

    RunControls.Signalled signal(Run run, String name, String payload, String key) {
        return controls.signal(ORG, run.workflowId(), run.id(), name, Json.parse(payload), key);
    }

    Run read(Run run) {
        return runs.find(run.id()).orElseThrow();
    }

    @Test
    void aRunWaitsSuspendedWithoutALambdaAndTheSignalsPayloadBecomesTheStepsOutput() {
        Run run = start("{\"signal\": \"approved\"}");

        Outcome waiting = deliver(run);

        assertThat(waiting).isInstanceOf(Outcome.Suspended.class);
        Run suspended = read(run);
        assertThat(suspended.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(suspended.leaseOwner()).as("no Lambda holds the wait").isNull();
        assertThat(suspended.wakeAt()).as("no timeout: nothing wakes it but a signal").isNull();
        assertThat(suspended.signals().awaited()).isEqualTo("approved");
        assertThat(suspended.steps()).extracting(r -> r.status()).containsExactly("completed", "waiting");
        assertThat(sent).as("no message, no wake-up index, nothing polls").isEmpty();
        assertThat(runs.wakeListed).isEmpty();
        assertThat(runs.listed).as("not the sweeper's either").isEmpty();
        assertThat(deliver(run)).as("a stray message finds nothing to do").isInstanceOf(Outcome.NotRunnable.class);

        RunControls.Signalled signalled = signal(run, "approved", "{\"by\": \"ana\"}", null);

        assertThat(signalled.replayed()).isFalse();
        assertThat(signalled.run().status()).as("back to pending, queued").isEqualTo(RunStatus.PENDING);
        assertThat(sent).containsExactly(new Sent(run.id(), Duration.ZERO));
        assertThat(runs.listed).as("listed until it ends: its message is sent after the write").contains(run.id());
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"order\":42,\"by\":\"ana\"}");
        assertThat(Json.write(done.steps().get(1).output())).isEqualTo("{\"by\":\"ana\"}");
        assertThat(done.signals().kept()).as("taken: removed in the write that recorded the step").isEmpty();
        assertThat(runs.listed).isEmpty();
    }

    @Test
    void aSignalThatComesBeforeTheRunReachesItsWaitIsKeptAndTakenThere() {
        Run run = start("{\"signal\": \"approved\"}");

        RunControls.Signalled early = signal(run, "approved", "{\"by\": \"bo\"}", null);

        assertThat(early.run().status()).isEqualTo(RunStatus.PENDING);
        assertThat(early.run().signals().kept()).extracting(s -> s.name()).containsExactly("approved");
        assertThat(sent).as("the run's own message is on its way: no second one").isEmpty();
        assertThat(deliver(run)).as("no suspension: the signal is there").isInstanceOf(Outcome.Finished.class);
        assertThat(Json.write(read(run).output())).isEqualTo("{\"order\":42,\"by\":\"bo\"}");
        assertThat(read(run).signals().kept()).isEmpty();
    }

    @Test
    void signalsAreTakenOldestFirstAndOneForAnotherStepIsKeptMeanwhile() {
        var view = workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "two waits", "steps": [
                  {"id": "a", "type": "wait_for_signal", "config": {"signal": "approved"}},
                  {"id": "b", "type": "wait_for_signal", "config": {"signal": "shipped"}},
                  {"id": "c", "type": "wait_for_signal", "config": {"signal": "approved"}}]}"""));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Run run = runService.start(ORG, view.workflow().id(), new RunRequest(Json.object(), null)).run();
        assertThat(deliver(run)).isInstanceOf(Outcome.Suspended.class);
        sent.clear();

        // Waiting for "approved": "shipped" is kept, the run stays asleep and nothing is queued.
        assertThat(signal(run, "shipped", "{\"n\": 1}", null).run().status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(sent).isEmpty();
        signal(run, "approved", "{\"n\": 2}", null);
        assertThat(read(run).status()).isEqualTo(RunStatus.PENDING);
        signal(run, "approved", "{\"n\": 3}", null);  // pending now: kept, for the third step

        assertThat(deliver(run)).as("all three taken in one delivery").isInstanceOf(Outcome.Finished.class);
        Run done = read(run);
        assertThat(done.steps()).extracting(r -> Json.write(r.output()))
                .containsExactly("{\"n\":2}", "{\"n\":1}", "{\"n\":3}");
        assertThat(done.signals().kept()).isEmpty();
    }

    @Test
    void anUnknownNameIsRefusedAndAFinishedRunTakesNoSignal() {
        Run run = start("{\"signal\": \"approved\"}");

        var unknown = catchThrowableOfType(KickoffException.class, () -> signal(run, "rejected", "{}", null));
        assertThat(unknown.reason()).isEqualTo(Reason.VALIDATION_FAILED);
        assertThat(unknown.details()).extracting(FieldError::path).containsExactly("/signal");
        assertThat(unknown.getMessage()).contains("waits for: approved");
        assertThat(catchThrowableOfType(KickoffException.class, () -> signal(run, "bad name!", "{}", null)).reason())
                .isEqualTo(Reason.INVALID_REQUEST);
        assertThat(catchThrowableOfType(KickoffException.class, () -> signal(run, "approved", "[1]", null)).reason())
                .isEqualTo(Reason.INVALID_REQUEST);
        String big = "{\"x\": \"" + "a".repeat(RunSignals.MAX_PAYLOAD_BYTES) + "\"}";
        assertThat(catchThrowableOfType(KickoffException.class, () -> signal(run, "approved", big, null)).reason())
                .isEqualTo(Reason.PAYLOAD_TOO_LARGE);
        Principal other = new Principal(8, 80, "other", Scope.API);
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.signal(other, run.workflowId(), run.id(),
                "approved", null, null)).reason()).as("another organization's run").isEqualTo(Reason.RUN_NOT_FOUND);
        assertThat(read(run).signals().kept()).isEmpty();

        controls.cancel(ORG, run.workflowId(), run.id(), null);
        var finished = catchThrowableOfType(KickoffException.class, () -> signal(run, "approved", "{}", null));
        assertThat(finished.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(finished.getMessage()).contains("already failed");
    }

    @Test
    void aRunKeepsTenSignalsAtMost() {
        Run run = start("{\"signal\": \"approved\"}");
        for (int i = 0; i < RunSignals.MAX_KEPT; i++) {
            signal(run, "approved", "{}", null);
        }
        var full = catchThrowableOfType(KickoffException.class, () -> signal(run, "approved", "{}", null));
        assertThat(full.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(read(run).signals().kept()).hasSize(RunSignals.MAX_KEPT);
    }

    @Test
    void aRepeatWithTheSameIdempotencyKeyChangesNothingEvenOnceTheRunHasFinished() {
        Run run = start("{\"signal\": \"approved\"}");
        assertThat(deliver(run)).isInstanceOf(Outcome.Suspended.class);

        RunControls.Signalled first = signal(run, "approved", "{\"by\": \"ana\"}", "approve-1");
        RunControls.Signalled again = signal(run, "approved", "{\"by\": \"ana\"}", "approve-1");

        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(read(run).signals().kept()).hasSize(1);
        assertThat(sent).as("queued once").hasSize(1);
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);

        RunControls.Signalled late = signal(run, "approved", "{\"by\": \"ana\"}", "approve-1");
        assertThat(late.replayed()).as("a repeat after the run finished is still the same signal").isTrue();
        assertThat(late.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(catchThrowableOfType(KickoffException.class, () -> signal(run, "approved", "{}", "approve-2"))
                .reason()).as("a new key on a finished run").isEqualTo(Reason.CONFLICT);
    }

    @Test
    void theTimeoutFailsTheStepOrLetsTheRunGoOnWithANullOutput() {
        Run failing = start("{\"signal\": \"approved\", \"timeout\": \"PT10M\"}");
        assertThat(deliver(failing)).isInstanceOf(Outcome.Suspended.class);
        assertThat(read(failing).wakeAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(sent).as("a timeout within 15 minutes: a held-back message")
                .containsExactly(new Sent(failing.id(), Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(10));
        assertThat(deliver(failing)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(failing).status()).isEqualTo(RunStatus.FAILED);
        assertThat(read(failing).errorCode()).isEqualTo(WaitForSignalStep.TIMED_OUT);
        assertThat(read(failing).error()).contains("no signal 'approved' came within PT10M");

        Run going = start("{\"signal\": \"approved\", \"timeout\": \"P2D\", \"on_timeout\": \"continue\"}");
        assertThat(deliver(going)).isInstanceOf(Outcome.Suspended.class);
        assertThat(sent).as("two days: the wake-up index, no message").isEmpty();
        assertThat(runs.wakeListed).containsExactly(going.id());
        clock.advance(Duration.ofDays(2).minusSeconds(30));
        assertThat(sweeper.sweep(null).woken()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(deliver(going)).isInstanceOf(Outcome.Finished.class);
        Run done = read(going);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps().get(1).output()).as("on_timeout: continue").isNull();
        assertThat(done.steps().get(2).status()).isEqualTo("completed");
        assertThat(runs.wakeListed).isEmpty();
    }

    @Test
    void aSignalAndTheTimeoutRacingEndInExactlyOneOfThem() {
        // The signal lands first: the timeout's message finds the run pending and takes the signal.
        Run signalFirst = start("{\"signal\": \"approved\", \"timeout\": \"PT5M\"}");
        deliver(signalFirst);
        clock.advance(Duration.ofMinutes(5));
        signal(signalFirst, "approved", "{\"by\": \"ana\"}", null);
        assertThat(read(signalFirst).wakeAt()).as("the signal took it out of its wait").isNull();
        assertThat(deliver(signalFirst)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(signalFirst).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(read(signalFirst).steps().get(1).output().get("by").asText()).isEqualTo("ana");

        // The timeout's claim lands first: the signal finds the run no longer waiting and is kept, not taken; the
        // step times out. (The client's answer shows the run in progress.)
        Run timeoutFirst = start("{\"signal\": \"approved\", \"timeout\": \"PT5M\"}");
        deliver(timeoutFirst);
        clock.advance(Duration.ofMinutes(5));
        List<RunControls.Signalled> answers = new ArrayList<>();
        afterClaim = () -> answers.add(signal(timeoutFirst, "approved", "{\"by\": \"bo\"}", null));
        assertThat(deliver(timeoutFirst)).isInstanceOf(Outcome.Finished.class);
        assertThat(answers).singleElement().satisfies(a -> assertThat(a.run().status()).isEqualTo(RunStatus.IN_PROGRESS));
        Run timedOut = read(timeoutFirst);
        assertThat(timedOut.status()).isEqualTo(RunStatus.FAILED);
        assertThat(timedOut.errorCode()).isEqualTo(WaitForSignalStep.TIMED_OUT);
        assertThat(timedOut.signals().kept()).as("kept, not taken").hasSize(1);

        // Retried from the failed step, the wait takes the kept signal at once.
        assertThat(controls.retry(ORG, timeoutFirst.workflowId(), timeoutFirst.id()).status()).isEqualTo(RunStatus.PENDING);
        assertThat(deliver(timeoutFirst)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(timeoutFirst).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(read(timeoutFirst).steps().get(1).output().get("by").asText()).isEqualTo("bo");
    }

    @Test
    void aSignalThatSlipsInBeforeTheWorkerGoesToSleepIsSeenNotLost() {
        Run run = start("{\"signal\": \"approved\"}");
        // The worker read the run (no signal), and is about to write AWAIT when the client's signal lands.
        runs.beforeAwait = () -> signal(run, "approved", "{\"by\": \"cy\"}", null);

        Outcome outcome = deliver(run);

        assertThat(outcome).as("the AWAIT was refused, the worker looked again and took it").isInstanceOf(
                Outcome.Finished.class);
        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps().get(1).output().get("by").asText()).isEqualTo("cy");
        assertThat(done.signals().kept()).isEmpty();
    }

    @Test
    void aSignalRacingACancelEndsInExactlyOneOfThem() {
        Run cancelledFirst = start("{\"signal\": \"approved\"}");
        deliver(cancelledFirst);
        controls.cancel(ORG, cancelledFirst.workflowId(), cancelledFirst.id(), null);
        assertThat(catchThrowableOfType(KickoffException.class, () -> signal(cancelledFirst, "approved", "{}", null))
                .reason()).isEqualTo(Reason.CONFLICT);
        assertThat(sent).isEmpty();

        Run signalledFirst = start("{\"signal\": \"approved\"}");
        deliver(signalledFirst);
        signal(signalledFirst, "approved", "{}", null);
        Run cancelled = controls.cancel(ORG, signalledFirst.workflowId(), signalledFirst.id(), null);
        assertThat(cancelled.status()).as("woken but not yet run: still cancellable").isEqualTo(RunStatus.FAILED);
        assertThat(deliver(signalledFirst)).as("its message finds it finished").isInstanceOf(Outcome.AlreadyFinished.class);
    }

    @Test
    void aWaitIsCheckedWhenTheDefinitionIsSaved() {
        var e = catchThrowableOfType(KickoffException.class, () -> workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "bad", "steps": [
                  {"id": "a", "type": "wait_for_signal", "config": {"signal": "{{input.name}}"}},
                  {"id": "b", "type": "wait_for_signal", "config": {"signal": "ok", "timeout": "soon",
                    "on_timeout": "retry", "extra": 1}}]}""")));
        assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder("/steps/0/config/signal",
                "/steps/1/config/timeout", "/steps/1/config/on_timeout", "/steps/1/config/extra");
    }
}
