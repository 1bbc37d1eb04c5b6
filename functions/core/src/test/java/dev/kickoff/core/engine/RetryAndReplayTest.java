package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.testing.InMemoryRunStore;
import dev.kickoff.core.testing.InMemoryWorkflowStore;
import dev.kickoff.core.testing.MutableClock;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinitions;
import dev.kickoff.core.workflow.WorkflowService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Retry from the failed step (redrive) and replay, as core service methods, with the races they must survive. */
class RetryAndReplayTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    /** Counts its runs per step id; fails (not retryably) while {@code broken} holds that id. */
    static final class Counted implements StepType {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final java.util.Set<String> broken = ConcurrentHashMap.newKeySet();

        public String name() {
            return "counted";
        }

        public boolean pure() {
            return false;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            int n = calls.computeIfAbsent(invocation.step().id(), k -> new AtomicInteger()).incrementAndGet();
            return broken.contains(invocation.step().id()) ? StepResult.failed("the service is down")
                    : StepResult.completed(Json.object().put("n", n));
        }
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    List<Long> queued = new ArrayList<>();
    Counted counted = new Counted();
    StepRegistry registry = StepRegistry.standard().with(List.of(counted));
    WorkflowService workflowService;
    RunService runService;
    RunControls controls;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, (org, run) -> queued.add(run), ids, clock, RunObserver.NONE);
        controls = new RunControls(runs, null, (org, run) -> queued.add(run), clock);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 16), registry, clock, Duration.ofSeconds(60),
                RunObserver.NONE);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static final String THREE = """
            {"name": "three", "steps": [{"id": "a", "type": "counted"}, {"id": "b", "type": "counted"},
                                        {"id": "c", "type": "counted"}]}""";

    Run failedAtB(long wf) {
        counted.broken.add("b");
        Run run = runService.start(ORG, wf, new RunRequest(Json.parse("{\"k\": 1}"), null)).run();
        executor.execute(Delivery.claimed(run.id(), "w1"));
        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
        counted.broken.clear();
        queued.clear();
        return run;
    }

    @Test
    void aFailedRunResumesAtItsFailedStepKeepingEveryEarlierStepsOutput() {
        long wf = publish(THREE);
        Run run = failedAtB(wf);

        Run retried = controls.retry(ORG, wf, run.id());

        assertThat(retried.status()).isEqualTo(RunStatus.PENDING);
        assertThat(retried.retries()).isEqualTo(1);
        assertThat(retried.error()).isNull();
        assertThat(retried.steps()).extracting(StepRecord::id).containsExactly("a");
        assertThat(queued).containsExactly(run.id());
        assertThat(runs.listed).as("listed by the write: should the message be lost, the sweeper finds it")
                .contains(run.id());
        assertThat(executor.execute(Delivery.claimed(run.id(), "w2"))).isInstanceOf(Outcome.Finished.class);
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(counted.calls.get("a")).as("not run again").hasValue(1);
        assertThat(counted.calls.get("b")).hasValue(2);
        assertThat(Json.write(done.output())).isEqualTo("{\"n\":1}");
        assertThat(runs.listed).doesNotContain(run.id());
    }

    @Test
    void retryRacingADuplicateDeliveryRunsTheFailedStepOnce() {
        long wf = publish(THREE);
        Run run = failedAtB(wf);
        controls.retry(ORG, wf, run.id());
        // The retry's message and a late duplicate of an older one arrive together: one claim wins, one is busy.
        Outcome first = executor.execute(Delivery.claimed(run.id(), "w2"));
        Outcome duplicate = executor.execute(Delivery.claimed(run.id(), "w3"));
        assertThat(first).isInstanceOf(Outcome.Finished.class);
        assertThat(duplicate).isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(counted.calls.get("b")).hasValue(2);
        assertThat(counted.calls.get("c")).hasValue(1);
    }

    @Test
    void onlyAFailedRunNotCancelledAndNotTooOldCanBeRetried() {
        long wf = publish(THREE);
        Run completed = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        executor.execute(Delivery.claimed(completed.id(), "w1"));
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.retry(ORG, wf, completed.id()))
                .reason()).isEqualTo(Reason.CONFLICT);

        Run cancelled = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        controls.cancel(ORG, wf, cancelled.id(), null);
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.retry(ORG, wf, cancelled.id()))
                .getMessage()).contains("cancelled");

        Run old = failedAtB(wf);
        clock.advance(RunControls.RETRY_WINDOW.plusSeconds(1));
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.retry(ORG, wf, old.id())).getMessage())
                .contains("14 days");
        assertThat(runs.find(old.id()).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.retry(
                new Principal(8, 80, "ci", Scope.API), wf, old.id())).reason()).isEqualTo(Reason.RUN_NOT_FOUND);
    }

    @Test
    void aReplayIsANewRunWithTheSameInputAndVersionOrTheLatest() {
        long wf = publish(THREE);
        Run original = failedAtB(wf);

        Run replay = runService.replay(ORG, wf, original.id(), false);

        assertThat(replay.id()).isNotEqualTo(original.id());
        assertThat(replay.replayOf()).isEqualTo(original.id());
        assertThat(replay.input()).isEqualTo(original.input());
        assertThat(replay.workflowVersion()).isEqualTo(original.workflowVersion());
        assertThat(replay.status()).isEqualTo(RunStatus.PENDING);
        assertThat(queued).containsExactly(replay.id());
        assertThat(runs.find(replay.id()).orElseThrow().replayOf()).isEqualTo(original.id());

        workflowService.update(ORG.orgId(), wf, Json.parse(THREE.replace("three", "three v2")));
        workflowService.publish(ORG.orgId(), wf, null);
        Run latest = runService.replay(ORG, wf, original.id(), true);
        assertThat(latest.workflowVersion()).isEqualTo(original.workflowVersion() + 1);
        assertThat(latest.replayOf()).isEqualTo(original.id());
    }
}
