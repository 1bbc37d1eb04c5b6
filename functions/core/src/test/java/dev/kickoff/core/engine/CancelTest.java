package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.cases.CaseService;
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
import dev.kickoff.core.testing.InMemoryCaseStore;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Cancel: the run ends failed with code cancelled, no further step starts, a step in flight finishes but its result
 * is discarded, a finished run cannot be cancelled, and cancel racing completion ends in exactly one of them (driven
 * deterministically: a probe step lets the test act while it is in flight).
 */
class CancelTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    /** An impure step that runs {@code whileInFlight} before it completes (e.g. a client cancelling the run). */
    static final class InFlight implements StepType {
        final AtomicInteger calls = new AtomicInteger();
        volatile Runnable whileInFlight = () -> { };

        public String name() {
            return "in_flight";
        }

        public boolean pure() {
            return false;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            calls.incrementAndGet();
            whileInFlight.run();
            return StepResult.completed(Json.object().put("done", true));
        }
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryCaseStore cases = new InMemoryCaseStore(runs);
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    InFlight inFlight = new InFlight();
    StepRegistry registry = StepRegistry.standard().with(List.of(inFlight));
    WorkflowService workflowService;
    RunService runService;
    CaseService caseService;
    RunControls controls;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        VersionCache versions = new VersionCache(workflows, 16);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, (org, run) -> { }, ids, clock, RunObserver.NONE);
        caseService = new CaseService(workflows, versions, cases, (org, run) -> { }, ids, clock, RunObserver.NONE);
        controls = new RunControls(runs, cases, (org, run) -> { }, clock);
        executor = new RunExecutor(runs, cases, versions, registry, clock, Duration.ofSeconds(60), RunObserver.NONE);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static final String TWO_STEPS = """
            {"name": "two", "steps": [{"id": "first", "type": "in_flight"}, {"id": "second", "type": "in_flight"}]}""";

    @Test
    void aPendingRunEndsFailedCancelledAndItsMessageFindsItFinished() {
        long wf = publish(TWO_STEPS);
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();

        Run cancelled = controls.cancel(ORG, wf, run.id(), "no longer needed");

        assertThat(cancelled.status()).isEqualTo(RunStatus.FAILED);
        assertThat(cancelled.errorCode()).isEqualTo("cancelled");
        assertThat(cancelled.error()).isEqualTo("the run was cancelled: no longer needed");
        assertThat(executor.execute(Delivery.claimed(run.id(), "w1"))).isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(inFlight.calls).as("no step starts").hasValue(0);
    }

    @Test
    void aStepInFlightFinishesButItsResultIsDiscardedAndNoFurtherStepStarts() {
        long wf = publish(TWO_STEPS);
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        inFlight.whileInFlight = () -> {
            inFlight.whileInFlight = () -> { };
            controls.cancel(ORG, wf, run.id(), null);  // the client cancels while the first step runs
        };

        Outcome outcome = executor.execute(Delivery.claimed(run.id(), "w1"));

        assertThat(outcome).as("the worker's checkpoint is refused: someone ended the run")
                .isInstanceOf(Outcome.Superseded.class);
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.errorCode()).isEqualTo("cancelled");
        assertThat(done.steps()).as("the first step's result was discarded").isEmpty();
        assertThat(inFlight.calls).as("the second step never started").hasValue(1);
    }

    @Test
    void cancelRacingCompletionEndsInExactlyOneOfThem() {
        long wf = publish("""
                {"name": "one", "steps": [{"id": "only", "type": "in_flight"}]}""");
        // Completion first: the cancel is a conflict.
        Run completed = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        assertThat(executor.execute(Delivery.claimed(completed.id(), "w1"))).isInstanceOf(Outcome.Finished.class);
        var conflict = catchThrowableOfType(KickoffException.class, () -> controls.cancel(ORG, wf, completed.id(), null));
        assertThat(conflict.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(conflict.getMessage()).contains("already completed");
        assertThat(runs.find(completed.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);

        // Cancel first (while the step runs): the completion is refused.
        Run cancelled = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        inFlight.whileInFlight = () -> {
            inFlight.whileInFlight = () -> { };
            controls.cancel(ORG, wf, cancelled.id(), null);
        };
        assertThat(executor.execute(Delivery.claimed(cancelled.id(), "w1"))).isInstanceOf(Outcome.Superseded.class);
        Run read = runs.find(cancelled.id()).orElseThrow();
        assertThat(read.status()).isEqualTo(RunStatus.FAILED);
        assertThat(read.output()).isNull();
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.cancel(ORG, wf, cancelled.id(), null))
                .reason()).as("cancelling twice is a conflict too").isEqualTo(Reason.CONFLICT);
    }

    @Test
    void aCancelledCaseRunParksItsCaseInErrorAndOthersRunsAreNotFound() {
        var view = workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "Refunds", "kind": "direct_case", "steps": [{"id": "x", "type": "in_flight"}]}"""));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Case kase = caseService.create(ORG, view.workflow().id(), new CaseService.CaseRequest(null, Json.object()));

        controls.cancel(ORG, view.workflow().id(), kase.runId(), null);

        assertThat(cases.find(kase.id()).orElseThrow().status()).isEqualTo(Case.ERROR);
        assertThat(runs.find(kase.runId()).orElseThrow().errorCode()).isEqualTo("cancelled");
        long wf = publish(TWO_STEPS);
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        Principal other = new Principal(8, 80, "ci", Scope.API);
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.cancel(other, wf, run.id(), null))
                .reason()).isEqualTo(Reason.RUN_NOT_FOUND);
        assertThat(catchThrowableOfType(KickoffException.class, () -> controls.cancel(ORG, wf + 1, run.id(), null))
                .reason()).isEqualTo(Reason.RUN_NOT_FOUND);
        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.PENDING);
    }
}
