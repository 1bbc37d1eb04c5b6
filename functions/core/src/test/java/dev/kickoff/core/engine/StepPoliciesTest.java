package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.run.Run;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What the engine does around any step (the extension points of steps that act on the world): {@code if} and
 * {@code skipped}, {@code continueOnError}, and {@code retry} with backoff, where the run yields between attempts
 * (DEFER: pending with a wake time and a held-back message) instead of a Lambda waiting. Probe step types stand in
 * for an HTTP call: a failure that is retryable or not, a step that asks to be run again at a given time.
 */
class StepPoliciesTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);

    /** Fails (retryably, with a code) its first {@code failures} calls, then completes. */
    static final class Flaky implements StepType {
        final AtomicInteger calls = new AtomicInteger();
        volatile int failures = 1;
        volatile boolean retryable = true;

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
            int n = calls.incrementAndGet();
            if (n <= failures) {
                return new StepResult.Failed("http_503", "the service answered 503 (attempt " + invocation.attempt()
                        + ")", retryable, null);
            }
            return StepResult.completed(Json.object().put("attempt", invocation.attempt()));
        }
    }

    /** Asks to be run again at a time of its choosing, once. */
    final class Later implements StepType {
        final AtomicInteger calls = new AtomicInteger();

        public String name() {
            return "later";
        }

        public boolean pure() {
            return false;
        }

        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        public StepResult execute(StepInvocation invocation) {
            return calls.incrementAndGet() == 1 ? new StepResult.RetryLater(clock.instant().plusSeconds(42), "not yet")
                    : StepResult.completed(Json.object().put("ok", true));
        }
    }

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
    Flaky flaky = new Flaky();
    Later later = new Later();
    StepRegistry registry = StepRegistry.standard().with(List.of(flaky, later));
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

    Run start(String definition, String input) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Run run = runService.start(ORG, view.workflow().id(), new RunRequest(Json.parse(input), null)).run();
        sent.clear();
        return run;
    }

    Run read(Run run) {
        return runs.find(run.id()).orElseThrow();
    }

    Outcome deliver(Run run) {
        return executor.execute(new Delivery(run.id(), "w-" + System.nanoTime(), 1, false, null));
    }

    @Test
    void aFalsyIfSkipsTheStepAndTheRunGoesOn() {
        Run run = start("""
                {"name": "if", "steps": [
                  {"id": "maybe", "type": "transform", "if": "{{input.vip}}", "config": {"mapping": {"gift": true}}},
                  {"id": "always", "type": "transform",
                   "config": {"mapping": {"skipped": "{{steps.maybe.status}}", "gift": "{{steps.maybe.output.gift}}"}}}]}""",
                "{\"vip\": false}");

        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);

        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).extracting(StepRecord::status).containsExactly("skipped", "completed");
        assertThat(Json.write(done.output())).isEqualTo("{\"skipped\":\"skipped\",\"gift\":null}");
        Run vip = start("""
                {"name": "if2", "steps": [
                  {"id": "maybe", "type": "transform", "if": "{{input.vip}}", "config": {"mapping": {"gift": true}}}]}""",
                "{\"vip\": \"yes\"}");
        deliver(vip);
        assertThat(read(vip).steps()).extracting(StepRecord::status).containsExactly("completed");
    }

    @Test
    void continueOnErrorRecordsTheFailureAndTheRunGoesOn() {
        flaky.failures = 100;
        flaky.retryable = false;
        Run run = start("""
                {"name": "coe", "steps": [
                  {"id": "call", "type": "flaky", "continueOnError": true},
                  {"id": "after", "type": "transform", "config": {"mapping": {"call": "{{steps.call.status}}"}}}]}""",
                "{}");

        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);

        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps().getFirst().status()).isEqualTo("failed");
        assertThat(done.steps().getFirst().error()).contains("503");
        assertThat(Json.write(done.output())).isEqualTo("{\"call\":\"failed\"}");
    }

    @Test
    void aRetryableFailureYieldsUntilTheBackoffAndTheNextAttemptRunsOnTime() {
        flaky.failures = 2;
        Run run = start("""
                {"name": "retry", "steps": [
                  {"id": "call", "type": "flaky", "retry": {"maxAttempts": 3, "backoff": "PT4S"}}]}""", "{}");

        Outcome first = deliver(run);

        assertThat(first).isInstanceOf(Outcome.Deferred.class);
        Run waiting = read(run);
        assertThat(waiting.status()).as("no Lambda waits: the run is pending with a wake time").isEqualTo(RunStatus.PENDING);
        assertThat(waiting.leaseOwner()).isNull();
        assertThat(waiting.wakeAt()).isBetween(clock.instant().plusSeconds(2), clock.instant().plusSeconds(4));
        assertThat(waiting.steps()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("retrying");
            assertThat(r.attempts()).isEqualTo(1);
        });
        assertThat(sent).singleElement().satisfies(m -> assertThat(m.delay())
                .isEqualTo(Duration.between(clock.instant(), waiting.wakeAt())));

        assertThat(deliver(run)).as("an early or extra message").isInstanceOf(Outcome.NotDue.class);
        assertThat(flaky.calls).hasValue(1);

        clock.advance(Duration.between(clock.instant(), waiting.wakeAt()));
        assertThat(deliver(run)).as("the second attempt fails too: twice the backoff")
                .isInstanceOf(Outcome.Deferred.class);
        Run again = read(run);
        assertThat(Duration.between(clock.instant(), again.wakeAt())).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(again.steps().getFirst().attempts()).isEqualTo(2);

        clock.advance(Duration.between(clock.instant(), again.wakeAt()));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("completed");
            assertThat(r.attempts()).isEqualTo(3);
        });
        assertThat(Json.write(done.output())).isEqualTo("{\"attempt\":3}");
        assertThat(done.wakeAt()).isNull();
    }

    @Test
    void whenTheAttemptsRunOutTheRunFailsWithTheStepsCode() {
        flaky.failures = 100;
        Run run = start("""
                {"name": "out", "steps": [{"id": "call", "type": "flaky", "retry": {"maxAttempts": 2, "backoff": "PT1S"}}]}""",
                "{}");
        assertThat(deliver(run)).isInstanceOf(Outcome.Deferred.class);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run failed = read(run);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("http_503");
        assertThat(failed.error()).isEqualTo("step 'call' failed: the service answered 503 (attempt 2)");
        assertThat(failed.steps().getFirst().attempts()).isEqualTo(2);
    }

    @Test
    void aFailureThatIsNotRetryableFailsAtOnceWhateverTheRetry() {
        flaky.retryable = false;
        Run run = start("""
                {"name": "final", "steps": [{"id": "call", "type": "flaky", "retry": {"maxAttempts": 5}}]}""", "{}");
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(run).status()).isEqualTo(RunStatus.FAILED);
        assertThat(sent).isEmpty();
    }

    @Test
    void aStepThatAsksToBeRunLaterYieldsUntilThen() {
        Run run = start("""
                {"name": "later", "steps": [{"id": "l", "type": "later"}]}""", "{}");
        Outcome first = deliver(run);
        assertThat(first).isInstanceOf(Outcome.Deferred.class);
        assertThat(((Outcome.Deferred) first).wakeAt()).isEqualTo(clock.instant().plusSeconds(42));
        assertThat(sent).singleElement().satisfies(m -> assertThat(m.delay()).isEqualTo(Duration.ofSeconds(42)));
        clock.advance(Duration.ofSeconds(42));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(run).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void stepPoliciesAreCheckedWhenTheDefinitionIsSaved() {
        var e = catchThrowableOfType(KickoffException.class, () -> workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "bad", "steps": [
                  {"id": "a", "type": "flaky", "retry": {"maxAttempts": 0, "backoff": "soon", "jitter": true}},
                  {"id": "b", "type": "flaky", "retry": 3, "continueOnError": "yes", "if": "{{ broken"}]}""")));
        assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder(
                "/steps/0/retry/maxAttempts", "/steps/0/retry/backoff", "/steps/0/retry/jitter", "/steps/1/retry",
                "/steps/1/continueOnError", "/steps/1/if");
    }

    @Test
    void theBackoffDoublesWithJitterAndHonoursRetryAfter() {
        var retry = new StepDefinition.Retry(5, Duration.ofSeconds(2));
        for (int i = 0; i < 20; i++) {
            assertThat(StepLoop.backoff(retry, 1, null)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
            assertThat(StepLoop.backoff(retry, 3, null)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        }
        assertThat(StepLoop.backoff(retry, 1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(StepLoop.backoff(retry, 30, null)).isLessThanOrEqualTo(Duration.ofMinutes(15));
        assertThat(StepLoop.truthy(Json.parse("0"))).isFalse();
        assertThat(StepLoop.truthy(Json.parse("\"false\""))).isFalse();
        assertThat(StepLoop.truthy(Json.parse("[]"))).isTrue();
        JsonNode missing = null;
        assertThat(StepLoop.truthy(missing)).isFalse();
    }
}
