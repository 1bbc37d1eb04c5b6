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
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.testing.InMemoryRunStore;
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

/** A workflow's run timeout (whatever the run waits for), and waiting for a run to settle, on a controlled clock. */
class TimeoutAndAwaitTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    List<Duration> delays = new ArrayList<>();
    RunQueue queue = new RunQueue() {
        @Override
        public void enqueue(long orgId, long runId) {
        }

        @Override
        public void enqueue(long orgId, long runId, Duration delay) {
            delays.add(delay);
        }
    };
    StepRegistry registry = StepRegistry.standard();
    WorkflowService workflowService;
    RunService runService;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, queue, ids, clock, RunObserver.NONE);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 16), registry, clock,
                Duration.ofSeconds(60), RunObserver.NONE, queue);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    Outcome deliver(Run run) {
        return executor.execute(new Delivery(run.id(), "w-" + System.nanoTime(), 1, false, null));
    }

    @Test
    void aRunWaitingLongerThanItsTimeoutWakesAtTheTimeoutAndFailsTimedOut() {
        long wf = publish("""
                {"name": "t", "timeout": "PT10M", "steps": [{"id": "wait", "type": "delay", "config": {"duration": "P1D"}},
                                                             {"id": "after", "type": "transform", "config": {"mapping": {"x": 1}}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();

        assertThat(deliver(run)).isInstanceOf(Outcome.Suspended.class);
        Run waiting = runs.find(run.id()).orElseThrow();
        assertThat(waiting.wakeAt()).as("the wait ends at the timeout, not a day later")
                .isEqualTo(run.createdAt().plus(Duration.ofMinutes(10)));
        assertThat(delays).containsExactly(Duration.ofMinutes(10));

        clock.advance(Duration.ofMinutes(10));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run failed = runs.find(run.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("timed_out");
        assertThat(failed.error()).contains("PT10M");
        var retry = catchThrowableOfType(KickoffException.class,
                () -> new RunControls(runs, null, queue, clock).retry(ORG, wf, run.id()));
        assertThat(retry.getMessage()).contains("timed out", "replay");
    }

    @Test
    void aRunPickedUpAfterItsTimeoutFailsBeforeAnyStep() {
        long wf = publish("""
                {"name": "t2", "timeout": "PT1S", "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        clock.advance(Duration.ofSeconds(2));  // a queue backlog
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run failed = runs.find(run.id()).orElseThrow();
        assertThat(failed.errorCode()).isEqualTo("timed_out");
        assertThat(failed.steps()).isEmpty();
        var bad = catchThrowableOfType(KickoffException.class, () -> publish("""
                {"name": "t3", "timeout": "forever", "steps": []}"""));
        assertThat(bad.details()).extracting(FieldError::path).containsExactly("/timeout");
    }

    @Test
    void awaitingARunAnswersOnceItSettlesWithBackoffReadsAndNeverWaitsPastItsBound() {
        long wf = publish("""
                {"name": "w", "steps": [{"id": "wait", "type": "delay", "config": {"duration": "PT3S"}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        List<Duration> pauses = new ArrayList<>();
        // Pending for 1 s: the worker gets to it then; it then suspends, which settles the wait.
        Run settled = runService.awaitSettled(ORG, wf, run.id(), Duration.ofSeconds(5), pause -> {
            pauses.add(pause);
            clock.advance(pause);
            if (!clock.instant().isBefore(run.createdAt().plusSeconds(1)) && runs.find(run.id()).orElseThrow()
                    .status() == RunStatus.PENDING) {
                deliver(run);
            }
        });
        assertThat(settled.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(pauses).startsWith(Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
                Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(pauses.size()).as("reads in the first second and a bit").isLessThanOrEqualTo(7);

        Run other = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        Instant before = clock.instant();
        Run unsettled = runService.awaitSettled(ORG, wf, other.id(), Duration.ofSeconds(2), clock::advance);
        assertThat(unsettled.status()).isEqualTo(RunStatus.PENDING);
        assertThat(Duration.between(before, clock.instant())).as("bounded").isEqualTo(Duration.ofSeconds(2));
        assertThat(catchThrowableOfType(KickoffException.class,
                () -> runService.awaitSettled(ORG, wf, other.id(), Duration.ofSeconds(26))).reason())
                .isEqualTo(Reason.INVALID_REQUEST);
        assertThat(catchThrowableOfType(KickoffException.class, () -> runService.awaitSettled(
                new Principal(8, 80, "ci", Scope.API), wf, other.id(), Duration.ofSeconds(1))).reason())
                .isEqualTo(Reason.RUN_NOT_FOUND);
    }
}
