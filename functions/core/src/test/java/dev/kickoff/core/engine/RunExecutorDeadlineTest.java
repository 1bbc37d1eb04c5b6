package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunStatus;
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

/** Runs longer than one worker invocation: they yield before the deadline and go on where they stopped. */
class RunExecutorDeadlineTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    MutableClock clock = new MutableClock(Instant.parse("2026-05-28T17:04:12Z"));
    AtomicInteger calls = new AtomicInteger();

    /** A pure step that takes one second (of the test's clock). */
    final class Slow implements StepType {
        public String name() {
            return "slow";
        }

        public boolean pure() {
            return true;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            clock.advance(Duration.ofSeconds(1));
            return StepResult.completed(Json.object().put("call", calls.incrementAndGet()));
        }
    }

    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    StepRegistry registry = StepRegistry.standard().with(List.of(new Slow()));
    RunService runService;
    WorkflowService workflowService;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, (org, run) -> { }, ids, clock, RunObserver.NONE);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 4), registry, clock, Duration.ofSeconds(60), RunObserver.NONE);
    }

    Run fiveSlowSteps() {
        var view = workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "long", "output": {"last": "{{steps.e.output.call}}", "first": "{{steps.a.output.call}}"},
                 "steps": [{"id": "a", "type": "slow"}, {"id": "b", "type": "slow"}, {"id": "c", "type": "slow"},
                           {"id": "d", "type": "slow"}, {"id": "e", "type": "slow"}]}"""));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return runService.start(ORG, view.workflow().id(), new RunRequest(Json.object(), null)).run();
    }

    @Test
    void aRunYieldsAtItsDeadlineKeepingWhatItDidAndTheNextDeliveryGoesOnFromThere() {
        Run run = fiveSlowSteps();
        Instant deadline = clock.instant().plusMillis(2500);

        var first = executor.execute(new Delivery(run.id(), "w1", 2, false, deadline));
        assertThat(first).isInstanceOf(Outcome.Yielded.class);
        assertThat(calls).as("steps started before the deadline only").hasValue(3);
        Run paused = runs.find(run.id()).orElseThrow();
        assertThat(paused.status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(paused.steps()).extracting(s -> s.id()).containsExactly("a", "b", "c");
        assertThat(paused.leaseUntil()).as("released: the next delivery claims it at once").isEqualTo(clock.instant());

        clock.advance(Duration.ofMillis(1));
        var second = executor.execute(new Delivery(run.id(), "w2", 2, false, clock.instant().plusSeconds(30)));
        assertThat(second).isInstanceOf(Outcome.Finished.class);
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(calls).as("pure steps done before the yield are not recomputed").hasValue(5);
        assertThat(Json.write(done.output())).isEqualTo("{\"last\":5,\"first\":1}");
        assertThat(done.attempts()).isEqualTo(2);
    }

    @Test
    void aFirstDeliveryThatRunsOutOfTimeKeepsThePureStepsItDidInMemory() {
        Run run = fiveSlowSteps();
        Instant deadline = clock.instant().plusMillis(2500);

        var first = executor.execute(new Delivery(run.id(), "w1", 1, false, deadline));

        assertThat(first).as("not settled without a claim: claimed, then yielded").isInstanceOf(Outcome.Yielded.class);
        assertThat(calls).as("each step computed once: the claim kept what the optimistic pass did").hasValue(3);
        assertThat(runs.find(run.id()).orElseThrow().steps()).extracting(s -> s.id()).containsExactly("a", "b", "c");
        clock.advance(Duration.ofMillis(1));
        assertThat(executor.execute(new Delivery(run.id(), "w2", 1, false, null))).isInstanceOf(Outcome.Finished.class);
        assertThat(calls).hasValue(5);
    }

    @Test
    void aDeliveryThatStartsPastItsDeadlineYieldsWithoutRunningAStep() {
        Run run = fiveSlowSteps();
        var outcome = executor.execute(new Delivery(run.id(), "w1", 2, false, clock.instant()));
        assertThat(outcome).isInstanceOf(Outcome.Yielded.class);
        assertThat(calls).hasValue(0);
        assertThat(executor.execute(new Delivery(run.id(), "w2", 2, false, null))).isInstanceOf(Outcome.Finished.class);
        assertThat(calls).hasValue(5);
    }

    @Test
    void givingUpARunClaimsItFirstAndEndsItFailedWithTheReason() {
        Run run = fiveSlowSteps();
        executor.execute(new Delivery(run.id(), "w1", 2, false, clock.instant().plusMillis(1500)));  // a, b done; yielded
        var resumed = executor.execute(new Delivery(run.id(), "w2", 2, false, clock.instant().plusSeconds(60)));
        assertThat(resumed).isInstanceOf(Outcome.Finished.class);

        Run other = fiveSlowSteps();
        runs.claim(other.id(), "live-worker", clock.instant(), clock.instant().plusSeconds(60));
        assertThat(executor.giveUp(other.id(), "sweeper", "stuck")).isInstanceOf(Outcome.Busy.class);
        clock.advance(Duration.ofSeconds(61));
        var given = executor.giveUp(other.id(), "sweeper", "stuck for good");
        assertThat(given).isInstanceOf(Outcome.Finished.class);
        Run failed = runs.find(other.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).isEqualTo("stuck for good");
        assertThat(executor.giveUp(run.id(), "sweeper", "late")).isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }
}
