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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunExecutorTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);
    static final Duration LEASE = Duration.ofSeconds(90);

    /** An impure step that counts how often it really ran. */
    static final class Probe implements StepType {
        final AtomicInteger calls = new AtomicInteger();

        public String name() {
            return "probe";
        }

        public boolean pure() {
            return false;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            return StepResult.completed(Json.object().put("calls", calls.incrementAndGet()));
        }
    }

    /** Stands in for the worker process dying: an Error nothing in the engine catches. */
    static final class Crash implements StepType {
        final AtomicInteger remaining = new AtomicInteger(1);

        public String name() {
            return "crash";
        }

        public boolean pure() {
            return false;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            if (remaining.getAndDecrement() > 0) {
                throw new SimulatedCrash();
            }
            return StepResult.completed(Json.object().put("survived", true));
        }
    }

    static final class SimulatedCrash extends Error {
    }

    /** A dependency that is down for the first {@code failures} calls. */
    static final class Flaky implements StepType {
        final AtomicInteger failures = new AtomicInteger(1);

        public String name() {
            return "flaky";
        }

        public boolean pure() {
            return false;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("connection refused");
            }
            return StepResult.completed(Json.object().put("ok", true));
        }
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-05-19T12:34:56Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    List<Long> queued = new ArrayList<>();
    Probe probe = new Probe();
    Crash crash = new Crash();
    Flaky flaky = new Flaky();
    StepRegistry registry = StepRegistry.standard().with(List.of(probe, crash, flaky));
    WorkflowService workflowService;
    RunService runService;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, (org, run) -> queued.add(run), ids, clock, RunObserver.NONE);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 16), registry, clock, LEASE, RunObserver.NONE);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static final String ORDER = """
            {"name": "Process Customer Order", "trigger": {"type": "api"},
             "steps": [
               {"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
                "config": {"mapping": {
                  "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                  "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                  "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}},
               {"id": "summary", "type": "transform",
                "config": {"mapping": {"customer": "{{input.customerId}}",
                                       "amount": "{{steps.calculate-total.output.total}}"}}}]}
            """;

    @Test
    void runsTheSeedWorkflowToCompletion() {
        long wf = publish(ORDER);
        Run run = runService.start(ORG, wf, new RunRequest(Json.parse("""
                {"customerId": "cus_1", "items": [{"product": "Widget", "quantity": 2, "price": 1999}]}"""), null)).run();
        assertThat(queued).containsExactly(run.id());
        assertThat(run.status()).isEqualTo(RunStatus.PENDING);

        var outcome = executor.execute(Delivery.claimed(run.id(), "w1"));

        assertThat(outcome).isInstanceOf(Outcome.Finished.class);
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"customer\":\"cus_1\",\"amount\":4317.84}");
        assertThat(done.steps()).extracting(s -> s.id()).containsExactly("calculate-total", "summary");
        assertThat(Json.write(done.steps().getFirst().output()))
                .isEqualTo("{\"subtotal\":3998,\"tax\":319.84,\"total\":4317.84}");
        assertThat(done.leaseOwner()).isNull();
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.completedAt()).isNotNull();
    }

    @Test
    void aDeclaredOutputMappingIsTheRunsOutput() {
        long wf = publish("""
                {"name": "o", "output": {"doubled": "{{steps.a.output.x | times: 2}}"},
                 "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": "{{input.n}}"}}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.parse("{\"n\": 21}"), null)).run();
        executor.execute(Delivery.claimed(run.id(), "w1"));
        assertThat(Json.write(runs.find(run.id()).orElseThrow().output())).isEqualTo("{\"doubled\":42}");
    }

    @Test
    void aFailStepFailsTheRunWithItsMessage() {
        long wf = publish("""
                {"name": "f", "steps": [
                  {"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}},
                  {"id": "stop", "type": "fail", "config": {"message": "no stock for {{input.sku}}"}},
                  {"id": "never", "type": "probe"}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.parse("{\"sku\": \"W-1\"}"), null)).run();
        executor.execute(Delivery.claimed(run.id(), "w1"));
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.error()).isEqualTo("step 'stop' failed: no stock for W-1");
        assertThat(done.output()).isNull();
        assertThat(done.steps()).extracting(s -> s.status()).containsExactly("completed", "failed");
        assertThat(probe.calls).hasValue(0);
    }

    @Test
    void aTemplateErrorAtRunTimeFailsTheRunAndSaysWhere() {
        long wf = publish("""
                {"name": "t", "steps": [{"id": "a", "type": "transform",
                  "config": {"mapping": {"x": "{{input.name | times: 2}}"}}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.parse("{\"name\": \"bob\"}"), null)).run();
        executor.execute(Delivery.claimed(run.id(), "w1"));
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.error()).contains("step 'a' failed", "/steps/0/config/mapping/x", "times expects a number");
    }

    @Test
    void aDuplicateDeliveryNeverRunsARunTwice() {
        long wf = publish("""
                {"name": "p", "steps": [{"id": "p", "type": "probe"}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        assertThat(executor.execute(Delivery.claimed(run.id(), "w1"))).isInstanceOf(Outcome.Finished.class);
        assertThat(executor.execute(Delivery.claimed(run.id(), "w2"))).isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(probe.calls).hasValue(1);
    }

    @Test
    void aRunWhoseWorkerDiedResumesFromItsFirstUnfinishedStepOnceTheLeaseExpires() {
        long wf = publish("""
                {"name": "r", "steps": [{"id": "one", "type": "probe"}, {"id": "two", "type": "crash"},
                                        {"id": "three", "type": "transform", "config": {"mapping": {
                                          "first": "{{steps.one.output.calls}}", "second": "{{steps.two.output}}"}}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();

        assertThatThrownBy(() -> executor.execute(Delivery.claimed(run.id(), "w1"))).isInstanceOf(SimulatedCrash.class);
        Run stuck = runs.find(run.id()).orElseThrow();
        assertThat(stuck.status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(stuck.steps()).extracting(s -> s.id()).containsExactly("one");

        // While the dead worker's lease is live, another delivery must not take the run.
        var busy = executor.execute(Delivery.claimed(run.id(), "w2"));
        assertThat(busy).isInstanceOf(Outcome.Busy.class);
        assertThat(((Outcome.Busy) busy).retryAt()).isEqualTo(stuck.leaseUntil());

        clock.advance(LEASE.plusSeconds(1));
        assertThat(executor.execute(Delivery.claimed(run.id(), "w2"))).isInstanceOf(Outcome.Finished.class);

        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(probe.calls).as("step one ran exactly once").hasValue(1);
        assertThat(Json.write(done.output())).isEqualTo("{\"first\":1,\"second\":{\"survived\":true}}");
    }

    @Test
    void aTransientStepFailureReleasesTheLeaseSoTheRetryResumesAtOnce() {
        long wf = publish("""
                {"name": "t", "steps": [{"id": "one", "type": "probe"}, {"id": "two", "type": "flaky"}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        assertThatThrownBy(() -> executor.execute(Delivery.claimed(run.id(), "w1"))).hasMessageContaining("connection refused");
        Run between = runs.find(run.id()).orElseThrow();
        assertThat(between.status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(between.leaseUntil()).isBefore(clock.instant());

        assertThat(executor.execute(Delivery.claimed(run.id(), "w2"))).isInstanceOf(Outcome.Finished.class);
        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(probe.calls).hasValue(1);
    }

    @Test
    void onTheLastAttemptATransientFailureEndsTheRunInsteadOfLeavingItInProgress() {
        long wf = publish("""
                {"name": "t", "steps": [{"id": "two", "type": "flaky"}]}""");
        flaky.failures.set(100);
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        var outcome = executor.execute(new Delivery(run.id(), "w1", 2, true, null));
        assertThat(outcome).isInstanceOf(Outcome.Finished.class);
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.error()).contains("step 'two' failed", "gave up after 1 attempts", "connection refused");
    }

    @Test
    void aWorkerThatLostItsLeaseStopsWithoutWriting() {
        long wf = publish("""
                {"name": "l", "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        // w1 claims, stalls past its lease, w2 takes over and finishes.
        var claimed = runs.claim(run.id(), "w1", clock.instant(), clock.instant().plus(LEASE));
        assertThat(claimed).isInstanceOf(dev.kickoff.core.port.RunStore.ClaimResult.Claimed.class);
        clock.advance(LEASE.plusSeconds(1));
        assertThat(executor.execute(Delivery.claimed(run.id(), "w2"))).isInstanceOf(Outcome.Finished.class);
        Run stale = ((dev.kickoff.core.port.RunStore.ClaimResult.Claimed) claimed).run();
        assertThat(runs.finish(stale.toBuilder().status(RunStatus.FAILED).build()).written()).isFalse();
        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void oversizedRunStateFailsTheRunInsteadOfBreakingTheStore() {
        long wf = publish("""
                {"name": "big", "steps": [{"id": "a", "type": "transform",
                  "config": {"mapping": {"x": "{{input.s}}{{input.s}}{{input.s}}{{input.s}}"}}}]}""");
        String s = "x".repeat(100_000);
        Run run = runService.start(ORG, wf, new RunRequest(Json.object().put("s", s), null)).run();
        executor.execute(Delivery.claimed(run.id(), "w1"));
        Run done = runs.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.error()).contains("over the limit");
        assertThat(done.output()).isNull();
    }
}
