package dev.kickoff.core.engine;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
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
 * The delay step: the run is suspended while it waits, nothing holds or polls the wait, and it wakes on time: a short
 * wait (up to 15 minutes) on its own held-back message, a long one on the sweeper's pass over the wake-up index.
 */
class DelayTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    record Sent(long runId, Duration delay) {
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
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
    RunExecutor executor;
    RunSweeper sweeper;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, queue, ids, clock, RunObserver.NONE);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 16), registry, clock,
                Duration.ofSeconds(60), RunObserver.NONE, queue);
        sweeper = new RunSweeper(new InMemoryActiveRuns(runs), new InMemoryWakeups(runs), queue, executor, clock,
                RunSweeper.Settings.defaults());
    }

    Run start(String wait) {
        var view = workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "wait", "output": {"before": "{{steps.before.output.x}}", "waited": "{{steps.wait.output.waited_until}}"},
                 "steps": [{"id": "before", "type": "transform", "config": {"mapping": {"x": 1}}},
                           {"id": "wait", "type": "delay", "config": %s}]}""".formatted(wait)));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Run run = runService.start(ORG, view.workflow().id(), new RunRequest(Json.parse("{\"at\": \"2026-12-24T18:00:00Z\"}"), null)).run();
        sent.clear();
        return run;
    }

    Outcome deliver(Run run) {
        return executor.execute(new Delivery(run.id(), "w-" + System.nanoTime(), 1, false, null));
    }

    Run read(Run run) {
        return runs.find(run.id()).orElseThrow();
    }

    @Test
    void aShortWaitSuspendsTheRunAndItsHeldBackMessageWakesItOnTime() {
        Run run = start("{\"duration\": \"PT2S\"}");

        assertThat(deliver(run)).isInstanceOf(Outcome.Suspended.class);

        Run waiting = read(run);
        assertThat(waiting.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(waiting.leaseOwner()).as("no Lambda holds the wait").isNull();
        assertThat(waiting.wakeAt()).isEqualTo(clock.instant().plusSeconds(2));
        assertThat(waiting.steps()).extracting(r -> r.status()).containsExactly("completed", "waiting");
        assertThat(sent).containsExactly(new Sent(run.id(), Duration.ofSeconds(2)));
        assertThat(runs.wakeListed).as("a short wait needs no index").isEmpty();

        assertThat(deliver(run)).as("a message that comes early").isInstanceOf(Outcome.NotDue.class);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"before\":1,\"waited\":\"2026-12-01T10:00:02Z\"}");
        assertThat(done.wakeAt()).isNull();
    }

    @Test
    void aLongWaitIsListedForTheSweeperWhichSendsItsMessageShortlyBeforeItIsDue() {
        Run run = start("{\"duration\": \"P3D\"}");
        Instant wake = clock.instant().plus(Duration.ofDays(3));

        assertThat(deliver(run)).isInstanceOf(Outcome.Suspended.class);
        assertThat(sent).as("longer than a message can be held back").isEmpty();
        assertThat(runs.wakeListed).containsExactly(run.id());

        assertThat(sweeper.sweep(null).woken()).as("not due for days").isZero();
        clock.advance(Duration.ofDays(3).minusSeconds(90));
        RunSweeper.Report report = sweeper.sweep(null);
        assertThat(report.woken()).isEqualTo(1);
        assertThat(sent).containsExactly(new Sent(run.id(), Duration.ofSeconds(90)));

        clock.advance(Duration.ofSeconds(90));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(run).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(read(run).steps().getLast().output().get("waited_until").asText()).isEqualTo(wake.toString());
        assertThat(runs.wakeListed).as("the claim that woke it took it out").isEmpty();
        sent.clear();
        assertThat(sweeper.sweep(null).woken()).isZero();
    }

    @Test
    void aWaitUntilATemplatedTimeAndACancelWhileSuspended() {
        Run run = start("{\"until\": \"{{input.at}}\"}");
        assertThat(deliver(run)).isInstanceOf(Outcome.Suspended.class);
        assertThat(read(run).wakeAt()).isEqualTo(Instant.parse("2026-12-24T18:00:00Z"));

        Run cancelled = new RunControls(runs, null, queue, clock).cancel(ORG, run.workflowId(), run.id(), null);
        assertThat(cancelled.status()).isEqualTo(RunStatus.FAILED);
        assertThat(cancelled.errorCode()).isEqualTo("cancelled");
        assertThat(runs.wakeListed).isEmpty();
        clock.advance(Duration.ofDays(30));
        assertThat(deliver(run)).isInstanceOf(Outcome.AlreadyFinished.class);
    }

    @Test
    void aDelayIsCheckedWhenTheDefinitionIsSaved() {
        var e = catchThrowableOfType(KickoffException.class, () -> workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "bad", "steps": [
                  {"id": "a", "type": "delay", "config": {}},
                  {"id": "b", "type": "delay", "config": {"duration": "soon"}},
                  {"id": "c", "type": "delay", "config": {"until": "tomorrow"}},
                  {"id": "d", "type": "delay", "config": {"duration": "PT1S", "until": "2026-12-24T18:00:00Z"}}]}""")));
        assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder(
                "/steps/0/config", "/steps/1/config/duration", "/steps/2/config/until", "/steps/3/config");
    }
}
