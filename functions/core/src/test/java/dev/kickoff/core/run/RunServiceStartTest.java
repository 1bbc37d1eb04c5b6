package dev.kickoff.core.run;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.testing.InMemoryIdempotencyStore;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trigger edge every API shape shares: schema, connection IDs, idempotency keys. */
class RunServiceStartTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);
    static final Principal OTHER = new Principal(8, 80, "ci", Scope.API);
    static final String INVOICE = """
            {"name": "Create Invoice", "trigger": {"type": "api"},
             "inputSchema": {"type": "object", "required": ["customerId", "amount"], "additionalProperties": false,
               "properties": {"customerId": {"type": "string", "pattern": "^cus_[a-zA-Z0-9]+$"},
                 "amount": {"type": "number", "minimum": 100},
                 "currency": {"type": "string", "enum": ["usd", "eur", "gbp"], "default": "usd"}}},
             "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"c": "{{input.currency}}"}}}]}""";

    MutableClock clock = new MutableClock(Instant.parse("2026-05-19T12:34:56Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
    List<Long> queued = new ArrayList<>();
    boolean queueDown;
    RunService service;
    WorkflowService workflowService;
    long invoice;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows,
                new WorkflowDefinitions(StepRegistry.standard(), List.of(JsonSchemas.definitionCheck())), ids, clock);
        service = new RunService(workflows, new VersionCache(workflows, 16), runs, keys, (org, run) -> {
            if (queueDown) {
                throw new IllegalStateException("queue down");
            }
            queued.add(run);
        }, ids, clock, RunObserver.NONE, Duration.ofHours(24));
        invoice = publish(INVOICE);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    RunService.Triggered start(String input, String connectionId, String key) {
        return service.start(ORG, invoice, new RunRequest(Json.parse(input), connectionId, key));
    }

    @Test
    void theRunGetsTheCheckedInputDefaultsAppliedAndUnknownFieldsStripped() {
        Run run = start("{\"customerId\": \"cus_1\", \"amount\": 9900, \"debug\": true}", "conn_live", null).run();
        assertThat(Json.write(run.input())).isEqualTo("{\"customerId\":\"cus_1\",\"amount\":9900,\"currency\":\"usd\"}");
        assertThat(run.connectionId()).isEqualTo("conn_live");
        assertThat(queued).containsExactly(run.id());
    }

    @Test
    void anInvalidInputCreatesNothing() {
        assertThatThrownBy(() -> start("{\"amount\": 5}", null, "k1"))
                .isInstanceOfSatisfying(InputValidationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INPUT_VALIDATION_FAILED);
                    assertThat(e.getMessage()).isEqualTo("Input validation failed");
                    assertThat(e.details()).extracting(d -> d.path()).containsExactlyInAnyOrder("/customerId", "/amount");
                });
        assertThat(runs.runs).isEmpty();
        assertThat(keys.records).isEmpty();
        assertThat(queued).isEmpty();
    }

    @Test
    void connectionIdsAreChecked() {
        for (String bad : new String[]{"", " ", "conn prod", "conn/1", "x".repeat(201), "conn\n"}) {
            assertThatThrownBy(() -> start("{\"customerId\": \"cus_1\", \"amount\": 100}", bad, null))
                    .as(bad).isInstanceOfSatisfying(KickoffException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST));
        }
        assertThat(start("{\"customerId\": \"cus_1\", \"amount\": 100}", "x".repeat(200), null).run().connectionId())
                .hasSize(200);
    }

    @Test
    void aRepeatedKeyAnswersTheFirstRunAndQueuesNothing() {
        var first = start("{\"customerId\": \"cus_1\", \"amount\": 100}", "conn_a", "process-order-123");
        // same request with other key order and number spelling
        var again = start("{\"amount\": 100.00, \"customerId\": \"cus_1\"}", "conn_a", "process-order-123");
        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.run().id()).isEqualTo(first.run().id());
        assertThat(queued).containsExactly(first.run().id());
        assertThat(runs.runs).hasSize(1);
    }

    @Test
    void aKeyWhoseRunWasNeverStoredIsTakenOverOnceItIsAbandoned() {
        // A request claimed the key for run 4242 and died before storing it (the claim is the key's first write).
        String fingerprint = RequestFingerprint.of(Json.parse("{\"customerId\": \"cus_1\", \"amount\": 100}"), null);
        keys.claim(new IdempotencyRecord(ORG.orgId(), invoice, "stuck-1", fingerprint, 4242, clock.instant(),
                clock.instant().plus(Duration.ofHours(24))), clock.instant());

        clock.advance(RunService.ABANDONED_KEY);
        var retry = start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "stuck-1");
        assertThat(retry.replayed()).isFalse();
        assertThat(retry.run().id()).isNotEqualTo(4242);
        assertThat(queued).containsExactly(retry.run().id());
        assertThat(keys.find(ORG.orgId(), invoice, "stuck-1", clock.instant()).orElseThrow().runId())
                .isEqualTo(retry.run().id());
        assertThat(start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "stuck-1").run().id())
                .isEqualTo(retry.run().id());
    }

    @Test
    void theSameKeyWithADifferentRequestIs409() {
        start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "k");
        for (String[] other : new String[][]{{"{\"customerId\": \"cus_1\", \"amount\": 101}", null},
                {"{\"customerId\": \"cus_1\", \"amount\": 100}", "conn_b"}}) {
            assertThatThrownBy(() -> start(other[0], other[1], "k"))
                    .isInstanceOfSatisfying(KickoffException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.IDEMPOTENCY_KEY_REUSED);
                        assertThat(e.getMessage()).contains("'k'").contains("different request");
                    });
        }
    }

    @Test
    void keysAreScopedToOrganizationAndWorkflowAndExpireAfter24Hours() {
        var first = start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "k");
        long other = publish(INVOICE);
        var elsewhere = service.start(ORG, other, new RunRequest(Json.parse("{\"customerId\": \"cus_1\", \"amount\": 100}"), null, "k"));
        assertThat(elsewhere.replayed()).isFalse();

        clock.advance(Duration.ofHours(24).minusSeconds(1));
        assertThat(start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "k").run().id()).isEqualTo(first.run().id());
        clock.advance(Duration.ofSeconds(1));
        var fresh = start("{\"customerId\": \"cus_1\", \"amount\": 999}", null, "k");
        assertThat(fresh.replayed()).isFalse();
        assertThat(fresh.run().id()).isNotEqualTo(first.run().id());
    }

    @Test
    void anotherOrganizationCannotReplayOrProbeAKey() {
        start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "k");
        assertThatThrownBy(() -> service.start(OTHER, invoice, new RunRequest(Json.object(), null, "k")))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WORKFLOW_NOT_FOUND));
    }

    @Test
    void badKeysAreRefused() {
        for (String bad : new String[]{"", "has space", "x".repeat(256), "tab\t", "ünïcode"}) {
            assertThatThrownBy(() -> start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, bad)).as(bad)
                    .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST));
        }
        assertThat(start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "~".repeat(255)).replayed()).isFalse();
    }

    @Test
    void aRunWithoutAKeyIsQueuedBeforeItIsStoredSoARefusedQueueLeavesNothing() {
        queued.clear();
        // The queue sees the run before the store does.
        runs.runs.clear();
        List<Boolean> storedWhenQueued = new ArrayList<>();
        RunService ordered = new RunService(workflows, new VersionCache(workflows, 16), runs, keys, (org, run) -> {
            storedWhenQueued.add(runs.runs.containsKey(run));
            if (queueDown) {
                throw new IllegalStateException("queue down");
            }
            queued.add(run);
        }, new IdGenerator(clock), clock, RunObserver.NONE, Duration.ofHours(24));
        Run run = ordered.start(ORG, invoice, new RunRequest(Json.parse("{\"customerId\": \"cus_1\", \"amount\": 100}"),
                null, null)).run();
        assertThat(storedWhenQueued).containsExactly(false);
        assertThat(queued).containsExactly(run.id());
        assertThat(runs.runs).containsKey(run.id());
        assertThat(runs.listed).as("queued first: never stranded, so not listed for the sweeper").isEmpty();

        queueDown = true;
        assertThatThrownBy(() -> ordered.start(ORG, invoice, new RunRequest(
                Json.parse("{\"customerId\": \"cus_2\", \"amount\": 200}"), null, null)))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
        assertThat(runs.runs).as("nothing stored").hasSize(1);
    }

    @Test
    void aRunWithAKeyIsQueuedBeforeItIsStoredAndARefusedQueueStoresNothingAndFreesTheKey() {
        List<Boolean> storedWhenQueued = new ArrayList<>();
        RunService ordered = new RunService(workflows, new VersionCache(workflows, 16), runs, keys, (org, run) -> {
            storedWhenQueued.add(runs.runs.containsKey(run));
            if (queueDown) {
                throw new IllegalStateException("queue down");
            }
            queued.add(run);
        }, new IdGenerator(clock), clock, RunObserver.NONE, Duration.ofHours(24));
        queueDown = true;
        assertThatThrownBy(() -> ordered.start(ORG, invoice, new RunRequest(
                Json.parse("{\"customerId\": \"cus_1\", \"amount\": 100}"), null, "k")))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
        assertThat(runs.runs).as("nothing stored").isEmpty();
        assertThat(keys.records).as("the key is free again").isEmpty();

        queueDown = false;
        var retry = ordered.start(ORG, invoice, new RunRequest(Json.parse("{\"customerId\": \"cus_1\", \"amount\": 100}"),
                null, "k"));
        assertThat(retry.replayed()).isFalse();
        assertThat(storedWhenQueued).containsExactly(false, false);
        assertThat(queued).containsExactly(retry.run().id());
        assertThat(runs.listed).as("queued first: never stranded, so not listed for the sweeper").isEmpty();
    }

    @Test
    void aReplayDoesNotNeedTheWorkflowToStillBeStartableOrTheInputToStillBeValid() {
        var first = start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "k");
        var again = start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, "k");
        assertThat(again.run().input()).isEqualTo(first.run().input());
        assertThat(again.run().input().get("currency").asText()).isEqualTo("usd");
    }

    @Test
    void readingARunThroughAJunkWorkflowIdIsNotFound() {
        Run run = start("{\"customerId\": \"cus_1\", \"amount\": 100}", null, null).run();
        assertThat(service.get(ORG, invoice, run.id()).id()).isEqualTo(run.id());
        assertThat(service.get(ORG, run.id()).id()).isEqualTo(run.id());
        assertThatThrownBy(() -> service.get(ORG, -1, run.id())).isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> service.get(OTHER, run.id())).isInstanceOf(KickoffException.class);
    }
}
