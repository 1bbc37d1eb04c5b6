package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunStore;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A run's first delivery: pure runs end with one write and no claim; everything else is claimed as before. */
class RunExecutorFirstDeliveryTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    /** The in-memory store, counting the writes the executor makes, with a read that can be made stale. */
    static final class CountingRunStore implements RunStore {
        final InMemoryRunStore delegate = new InMemoryRunStore();
        final AtomicInteger claims = new AtomicInteger();
        final AtomicInteger finishes = new AtomicInteger();
        final AtomicInteger pendingFinishes = new AtomicInteger();
        Run staleRead;
        /** Reads that miss the run, as a read can when its message came before the write that stores it. */
        int unseenReads;

        public void create(Run run) {
            delegate.create(run);
        }

        public Optional<Run> find(long runId) {
            if (unseenReads > 0) {
                unseenReads--;
                return Optional.empty();  // its message came before the write that stores it
            }
            return staleRead != null ? Optional.of(staleRead) : delegate.find(runId);
        }

        public Optional<Run> findQueued(long runId) {
            return find(runId);
        }

        public boolean watch(long runId, Instant at) {
            return delegate.watch(runId, at);
        }

        public ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil) {
            claims.incrementAndGet();
            return delegate.claim(runId, owner, now, leaseUntil);
        }

        public WriteResult checkpoint(Run run) {
            return delegate.checkpoint(run);
        }

        public WriteResult release(Run run) {
            return delegate.release(run);
        }

        public WriteResult yieldLease(Run run) {
            return delegate.yieldLease(run);
        }

        public WriteResult suspend(Run run, boolean wakeListed) {
            return delegate.suspend(run, wakeListed);
        }

        public WriteResult retry(Run run, Instant seenUpdatedAt) {
            return delegate.retry(run, seenUpdatedAt);
        }

        public WriteResult cancel(long runId, dev.kickoff.core.run.RunError error, Instant at) {
            return delegate.cancel(runId, error, at);
        }

        public WriteResult awaitSignal(Run run, int seenSignals, boolean wakeListed) {
            return delegate.awaitSignal(run, seenSignals, wakeListed);
        }

        public WriteResult signal(long runId, dev.kickoff.core.run.RunSignal signal, boolean keyed, Instant at) {
            return delegate.signal(runId, signal, keyed, at);
        }

        public WriteResult keepSignal(long runId, dev.kickoff.core.run.RunSignal signal, boolean keyed, Instant at) {
            return delegate.keepSignal(runId, signal, keyed, at);
        }

        public WriteResult receive(Run run, int index, String signalId) {
            return delegate.receive(run, index, signalId);
        }

        public RunPage list(long orgId, long workflowId, dev.kickoff.core.run.RunStatus status, int limit,
                            String cursor) {
            return delegate.list(orgId, workflowId, status, limit, cursor);
        }

        public WriteResult defer(Run run) {
            return delegate.defer(run);
        }

        public WriteResult finish(Run run) {
            finishes.incrementAndGet();
            return delegate.finish(run);
        }

        public WriteResult finishUnclaimed(Run run, Instant seenUpdatedAt) {
            pendingFinishes.incrementAndGet();
            return delegate.finishUnclaimed(run, seenUpdatedAt);
        }
    }

    /** A pure step whose first call hits a bug (a RuntimeException, not a step failure). */
    static final class BuggyOnce implements StepType {
        final AtomicInteger calls = new AtomicInteger();

        public String name() {
            return "buggy_once";
        }

        public boolean pure() {
            return true;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug");
            }
            return StepResult.completed(Json.object().put("ok", true));
        }
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
    CountingRunStore runs = new CountingRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    RunExecutorTest.Probe effect = new RunExecutorTest.Probe();  // a step with effects outside the run
    BuggyOnce buggy = new BuggyOnce();
    StepRegistry registry = StepRegistry.standard().with(List.of(effect, buggy));
    WorkflowService workflowService;
    RunService runService;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, (org, run) -> { }, ids, clock, RunObserver.NONE);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 16), registry, clock, Duration.ofSeconds(60), RunObserver.NONE);
    }

    Run start(String definition, String input) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return runService.start(ORG, view.workflow().id(), new RunRequest(Json.parse(input), null)).run();
    }

    static final String TOTAL = """
            {"name": "total", "steps": [{"id": "t", "type": "transform",
              "config": {"mapping": {"total": "{{input.items | map: 'quantity * price' | sum}}"}}}]}""";

    @Test
    void aPureRunEndsWithOneWriteAndNoClaim() {
        Run run = start(TOTAL, "{\"items\": [{\"quantity\": 2, \"price\": 1999}]}");
        clock.advance(Duration.ofMillis(25));

        var outcome = executor.execute(new Delivery(run.id(), "w1", 1, false, null));

        assertThat(outcome).isInstanceOf(Outcome.Finished.class);
        assertThat(runs.claims).hasValue(0);
        assertThat(runs.finishes).hasValue(0);
        assertThat(runs.pendingFinishes).hasValue(1);
        Run done = runs.delegate.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"total\":3998}");
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.startedAt()).isEqualTo(clock.instant());
        assertThat(done.completedAt()).isEqualTo(clock.instant());
        assertThat(done.leaseOwner()).isNull();
    }

    @Test
    void aPureRunThatFailsEndsFailedWithOneWrite() {
        Run run = start("""
                {"name": "f", "steps": [{"id": "stop", "type": "fail", "config": {"message": "no stock"}}]}""", "{}");
        var outcome = executor.execute(new Delivery(run.id(), "w1", 1, false, null));
        assertThat(outcome).isInstanceOf(Outcome.Finished.class);
        assertThat(runs.claims).hasValue(0);
        Run done = runs.delegate.find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        assertThat(done.error()).isEqualTo("step 'stop' failed: no stock");
    }

    @Test
    void aRunWithAStepThatHasEffectsIsClaimedFirst() {
        Run run = start("""
                {"name": "e", "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}},
                                        {"id": "b", "type": "probe"}]}""", "{}");
        var outcome = executor.execute(new Delivery(run.id(), "w1", 1, false, null));
        assertThat(outcome).isInstanceOf(Outcome.Finished.class);
        assertThat(runs.claims).hasValue(1);
        assertThat(runs.finishes).hasValue(1);
        assertThat(runs.pendingFinishes).hasValue(0);
        assertThat(effect.calls).hasValue(1);
    }

    @Test
    void aPureRunAnotherWorkerHoldsIsLeftToIt() {
        Run run = start(TOTAL, "{\"items\": []}");
        runs.delegate.claim(run.id(), "other", clock.instant(), clock.instant().plusSeconds(60));

        var outcome = executor.execute(new Delivery(run.id(), "w1", 1, false, null));

        assertThat(outcome).isInstanceOf(Outcome.Busy.class);
        assertThat(runs.pendingFinishes).hasValue(0);
        assertThat(runs.delegate.find(run.id()).orElseThrow().leaseOwner()).isEqualTo("other");
    }

    @Test
    void whenADuplicateEndedTheRunBetweenTheReadAndTheWriteTheFirstResultStands() {
        Run run = start(TOTAL, "{\"items\": [{\"quantity\": 1, \"price\": 5}]}");
        runs.staleRead = run;  // this worker read the run while it was still pending ...
        assertThat(executor.execute(Delivery.claimed(run.id(), "w0"))).isInstanceOf(Outcome.Finished.class);  // ... then w0 ended it
        Run first = runs.delegate.find(run.id()).orElseThrow();
        clock.advance(Duration.ofSeconds(1));

        var outcome = executor.execute(new Delivery(run.id(), "w1", 1, false, null));

        assertThat(outcome).as("the pending-only write fails; the claim finds it finished")
                .isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(runs.pendingFinishes).hasValue(1);
        assertThat(runs.delegate.find(run.id()).orElseThrow()).isEqualTo(first);
    }

    @Test
    void aRunTheStoreCannotFindYetIsMissingAndNothingIsWritten() {
        // The store's findQueued reads again briefly itself (DynamoRunStoreTest); what it cannot find is Missing, and
        // the worker keeps a young message for its run to appear.
        Run run = start(TOTAL, "{\"items\": []}");
        runs.unseenReads = 1;
        assertThat(executor.execute(new Delivery(run.id(), "w1", 1, false, null))).isInstanceOf(Outcome.Missing.class);
        assertThat(runs.claims).hasValue(0);
        assertThat(runs.pendingFinishes).hasValue(0);
        assertThat(executor.execute(new Delivery(run.id(), "w1", 1, false, null)))
                .isInstanceOf(Outcome.Finished.class);
    }

    @Test
    void aMissingOrFinishedRunNeedsNoWriteAtAll() {
        assertThat(executor.execute(new Delivery(424242, "w1", 1, false, null)))
                .isInstanceOf(Outcome.Missing.class);
        Run run = start(TOTAL, "{\"items\": []}");
        executor.execute(Delivery.claimed(run.id(), "w0"));
        int claims = runs.claims.get();
        assertThat(executor.execute(new Delivery(run.id(), "w1", 1, false, null)))
                .isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(runs.claims).hasValue(claims);
    }

    @Test
    void aBugInAPureStepLeavesTheRunPendingForTheRedeliveryWhichClaimsIt() {
        Run run = start("""
                {"name": "b", "steps": [{"id": "x", "type": "buggy_once"}]}""", "{}");

        assertThatThrownBy(() -> executor.execute(new Delivery(run.id(), "w1", 1, false, null)))
                .isInstanceOf(IllegalStateException.class);
        Run untouched = runs.delegate.find(run.id()).orElseThrow();
        assertThat(untouched.status()).as("nothing was written").isEqualTo(RunStatus.PENDING);
        assertThat(untouched).isEqualTo(run);

        var retried = executor.execute(new Delivery(run.id(), "w2", 2, false, null));  // the redelivery takes the claim path
        assertThat(retried).isInstanceOf(Outcome.Finished.class);
        assertThat(runs.delegate.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aPastDeadlineSendsTheRunThroughTheClaimWhichYields() {
        Run run = start(TOTAL, "{\"items\": []}");
        var outcome = executor.execute(new Delivery(run.id(), "w1", 1, false, clock.instant()));
        assertThat(outcome).isInstanceOf(Outcome.Yielded.class);
        assertThat(runs.pendingFinishes).hasValue(0);
        assertThat(runs.claims).hasValue(1);
    }
}
