package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.testing.InMemoryActiveRuns;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sweeper's decisions, on in-memory ports with a clock the tests move. */
class RunSweeperTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration GRACE = Duration.ofMinutes(2);

    /** The worker process dies in this step, every time. */
    static final class Crash implements StepType {
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
            throw new WorkerDied();
        }
    }

    static final class WorkerDied extends Error {
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-05-28T17:04:12Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryCaseStore cases = new InMemoryCaseStore(runs);
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    InMemoryActiveRuns active = new InMemoryActiveRuns(runs);
    List<Long> queued = Collections.synchronizedList(new ArrayList<>());
    StepRegistry registry = StepRegistry.standard().with(List.of(new Crash()));
    WorkflowService workflowService;
    RunService runService;
    CaseService caseService;
    RunExecutor executor;
    RunSweeper sweeper;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        VersionCache versions = new VersionCache(workflows, 16);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, (org, run) -> queued.add(run), ids, clock, RunObserver.NONE);
        caseService = new CaseService(workflows, versions, cases, (org, run) -> queued.add(run), ids, clock,
                RunObserver.NONE);
        executor = new RunExecutor(runs, cases, versions, registry, clock, LEASE, RunObserver.NONE);
        sweeper = sweeper(RunSweeper.Settings.defaults());
    }

    RunSweeper sweeper(RunSweeper.Settings settings) {
        return new RunSweeper(active, (org, run) -> queued.add(run), executor, clock, settings);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static final String ONE_STEP = """
            {"name": "one", "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}}]}""";

    /**
     * A pending run whose message is gone (dead-lettered before a worker claimed it, say) and that is listed: the
     * sweeper is all that can move it. (The in-memory listing lists every unfinished run.)
     */
    Run strandedRun(long workflow) {
        int before = queued.size();
        Run run = runService.start(ORG, workflow, new RunRequest(Json.object(), null)).run();
        while (queued.size() > before) {  // its message, and those of IDs that collided (the clock stands still here)
            queued.remove(queued.size() - 1);
        }
        return run;
    }

    RunSweeper.Report sweep() {
        return sweeper.sweep(null);
    }

    Run read(long id) {
        return runs.find(id).orElseThrow();
    }

    @Test
    void aPendingRunWhoseMessageWasLostIsQueuedOnceItHasBeenQuietForTheGraceAndThenCompletes() {
        Run run = strandedRun(publish(ONE_STEP));
        assertThat(sweep().requeued()).as("young runs are left alone").isZero();
        clock.advance(GRACE.minusSeconds(1));
        assertThat(sweep().requeued()).isZero();
        assertThat(queued).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        RunSweeper.Report report = sweep();
        assertThat(report.requeued()).isEqualTo(1);
        assertThat(report.complete()).isTrue();
        assertThat(queued).containsExactly(run.id());
        assertThat(active.recoveries).containsEntry(run.id(), 1);
        assertThat(active.recoveredAt).containsEntry(run.id(), clock.instant());

        assertThat(sweep().requeued()).as("a recovered run gets time to arrive").isZero();
        assertThat(executor.execute(Delivery.claimed(run.id(), "w1"))).isInstanceOf(Outcome.Finished.class);
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.COMPLETED);
        clock.advance(Duration.ofHours(1));
        assertThat(sweep().examined()).as("a finished run is no longer listed").isZero();
        assertThat(queued).containsExactly(run.id());
    }

    @Test
    void aRunInProgressIsLeftWhileLeasedAndRecoveredOnceItsLeaseHasBeenOverForTheGrace() {
        long wf = publish("""
                {"name": "dies", "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": 1}}},
                                           {"id": "b", "type": "crash"}]}""");
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        queued.clear();  // its message is consumed below and then gone (dead-lettered)
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> executor.execute(Delivery.claimed(run.id(), "w1"))).isInstanceOf(WorkerDied.class);
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.IN_PROGRESS);

        clock.advance(LEASE.minusSeconds(1));
        assertThat(sweep().requeued()).as("a live lease: its worker may still be at it").isZero();
        clock.advance(Duration.ofSeconds(2));
        assertThat(sweep().requeued()).as("the lease is over, but only just").isZero();
        clock.advance(GRACE);
        assertThat(sweep().requeued()).isEqualTo(1);
        assertThat(queued).containsExactly(run.id());
        assertThat(active.recoveries).containsEntry(run.id(), 1);
    }

    @Test
    void aRunThatKillsEveryWorkerIsGivenUpAfterTheLastRecoveryAndItsCaseParkedInError() {
        var view = workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "Refunds", "kind": "direct_case", "steps": [{"id": "boom", "type": "crash"}]}"""));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Case kase = caseService.create(ORG, view.workflow().id(), new CaseService.CaseRequest(null, Json.object()));
        long runId = kase.runId();
        List<Instant> recoveries = new ArrayList<>();
        for (int attempt = 0; attempt < 10 && read(runId).status() != RunStatus.FAILED; attempt++) {
            assertThatThrownBy(() -> executor.execute(Delivery.claimed(runId, "w"))).isInstanceOf(WorkerDied.class);
            int before = queued.size();
            for (int minute = 0; minute < 120 && queued.size() == before
                    && read(runId).status() != RunStatus.FAILED; minute++) {
                clock.advance(Duration.ofMinutes(1));
                sweep();
            }
            if (queued.size() > before) {
                recoveries.add(clock.instant());
            }
        }
        Run failed = read(runId);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).contains("given up", "after 3 recoveries");
        assertThat(failed.leaseOwner()).isNull();
        assertThat(cases.find(kase.id()).orElseThrow().status()).isEqualTo(Case.ERROR);
        assertThat(active.recoveries).containsEntry(runId, 3);
        assertThat(queued).as("created, then three recoveries").hasSize(4);
        // Each recovery waited twice as long as the one before (lease 1 min, grace 2 min; sweeps every minute).
        assertThat(Duration.between(recoveries.get(0), recoveries.get(1))).isEqualTo(Duration.ofMinutes(5));
        assertThat(Duration.between(recoveries.get(1), recoveries.get(2))).isEqualTo(Duration.ofMinutes(9));
        assertThat(sweep().examined()).isZero();
    }

    @Test
    void aPendingRunIsNeverGivenUpButQueuedAgainAtMostOncePerCappedInterval() {
        Run run = strandedRun(publish(ONE_STEP));
        List<Instant> times = new ArrayList<>();
        for (int minute = 0; minute < 6 * 60; minute++) {
            clock.advance(Duration.ofMinutes(1));
            if (sweep().requeued() > 0) {
                times.add(clock.instant());
            }
        }
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.PENDING);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(Duration.between(times.get(i - 1), times.get(i)).toMinutes());
        }
        assertThat(gaps).startsWith(4L, 8L, 16L, 32L, 60L).allMatch(g -> g <= 60);
        assertThat(active.recoveries.get(run.id())).isEqualTo(times.size()).isGreaterThan(3);
    }

    @Test
    void concurrentSweepsCountAndQueueEachRunOnce() throws Exception {
        long wf = publish(ONE_STEP);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(strandedRun(wf).id());
        }
        clock.advance(Duration.ofMinutes(3));
        RunSweeper a = sweeper(RunSweeper.Settings.defaults());
        RunSweeper b = sweeper(RunSweeper.Settings.defaults());
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<RunSweeper.Report>> both = List.of(() -> {
            start.await();
            return a.sweep(null);
        }, () -> {
            start.await();
            return b.sweep(null);
        });
        int requeued = 0;
        try (var pool = Executors.newFixedThreadPool(2)) {
            List<Future<RunSweeper.Report>> reports = both.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<RunSweeper.Report> r : reports) {
                requeued += r.get().requeued();
            }
        }
        assertThat(requeued).isEqualTo(200);
        assertThat(queued).hasSize(200);
        assertThat(new HashSet<>(queued)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(active.recoveries.values()).hasSize(200).containsOnly(1);
    }

    @Test
    void aFinishedRunLeftInTheListingIsTakenOut() {
        long wf = publish(ONE_STEP);
        Run run = runService.start(ORG, wf, new RunRequest(Json.object(), null)).run();
        executor.execute(Delivery.claimed(run.id(), "w1"));
        active.leftovers.add(run.id());
        clock.advance(Duration.ofMinutes(3));
        RunSweeper.Report report = sweep();
        assertThat(report.unlisted()).isEqualTo(1);
        assertThat(report.requeued()).isZero();
        assertThat(sweep().examined()).isZero();
        assertThat(read(run.id()).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aSweepStopsAtItsBoundAndTheNextOnesContinueWhereItStopped() {
        long wf = publish(ONE_STEP);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(strandedRun(wf).id());
        }
        clock.advance(Duration.ofMinutes(3));
        RunSweeper bounded = sweeper(new RunSweeper.Settings(GRACE, 3, Duration.ofHours(1), 3, 100));
        RunSweeper.Report first = bounded.sweep(null);
        assertThat(first.examined()).isEqualTo(3);
        assertThat(first.complete()).isFalse();
        int sweeps = 1;
        while (new HashSet<>(queued).size() < 10 && sweeps < 12) {
            assertThat(bounded.sweep(null).examined()).isLessThanOrEqualTo(3);
            sweeps++;
        }
        assertThat(new HashSet<>(queued)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(queued).as("each once").hasSize(10);
        assertThat(sweeps).as("the sweeps take turns: none looks at a run again before all were seen").isEqualTo(4);
    }

    @Test
    void aSweepPastItsDeadlineStartsNothing() {
        strandedRun(publish(ONE_STEP));
        clock.advance(Duration.ofMinutes(3));
        RunSweeper.Report report = sweeper.sweep(clock.instant());
        assertThat(report.examined()).isZero();
        assertThat(report.complete()).isFalse();
        assertThat(sweeper.sweep(clock.instant().plusSeconds(60)).requeued()).isEqualTo(1);
    }

    @Test
    void intervalsDoubleUpToTheCapAndSettingsAreChecked() {
        RunSweeper.Settings s = RunSweeper.Settings.defaults();
        assertThat(s.interval(0)).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.interval(1)).isEqualTo(Duration.ofMinutes(4));
        assertThat(s.interval(3)).isEqualTo(Duration.ofMinutes(16));
        assertThat(s.interval(5)).isEqualTo(Duration.ofHours(1));
        assertThat(s.interval(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> new RunSweeper.Settings(Duration.ZERO, 3, Duration.ofHours(1), 10, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RunSweeper.Settings(GRACE, 0, Duration.ofHours(1), 10, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RunSweeper.Settings(GRACE, 3, Duration.ofMinutes(1), 10, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
