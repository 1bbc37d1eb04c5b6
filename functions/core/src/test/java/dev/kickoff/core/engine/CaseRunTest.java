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
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.testing.InMemoryCaseStore;
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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Case runs in the engine: set_case (validation when saved and when run, idempotence), the case scope, Error. */
class CaseRunTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);
    static final Duration LEASE = Duration.ofSeconds(90);

    MutableClock clock = new MutableClock(Instant.parse("2026-05-28T17:04:12Z"));
    InMemoryRunStore runs = new InMemoryRunStore();
    InMemoryCaseStore cases = new InMemoryCaseStore(runs);
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    List<Long> queued = new ArrayList<>();
    StepRegistry registry = StepRegistry.standard();
    WorkflowDefinitions definitions = new WorkflowDefinitions(registry, List.of(JsonSchemas.definitionCheck()));
    WorkflowService workflowService;
    CaseService caseService;
    RunExecutor executor;

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        VersionCache versions = new VersionCache(workflows, 16);
        workflowService = new WorkflowService(workflows, definitions, ids, clock);
        caseService = new CaseService(workflows, versions, cases, (org, run) -> queued.add(run), ids, clock,
                RunObserver.NONE);
        executor = new RunExecutor(runs, cases, versions, registry, clock, LEASE, RunObserver.NONE);
    }

    long publish(String steps) {
        var view = workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "Refunds", "kind": "direct_case", "statuses": ["Awaiting customer"],
                 "attributeSchema": {"type": "object", "required": ["amount"],
                                     "properties": {"amount": {"type": "number"}, "n": {"type": "integer"}}},
                 "steps": %s}""".formatted(steps)));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    Case create(long workflow, String body) {
        var json = Json.parse(body);
        return caseService.create(ORG, workflow, new CaseService.CaseRequest(json.get("subject"), json.get("attributes")));
    }

    Run run(Case kase) {
        return runs.find(kase.runId()).orElseThrow();
    }

    @Test
    void creatingACaseStoresItWithItsRunAndQueuesTheRun() {
        long wf = publish("[]");
        Case kase = create(wf, "{\"subject\": \"Refund request\", \"attributes\": {\"amount\": 42}}");
        assertThat(kase.status()).isEqualTo("Open");
        assertThat(queued).containsExactly(kase.runId());
        Run run = run(kase);
        assertThat(run.caseId()).isEqualTo(kase.id());
        assertThat(run.status()).isEqualTo(RunStatus.PENDING);
        assertThat(Json.write(run.input())).isEqualTo("{\"amount\":42}");
        assertThat(create(wf, "{\"attributes\": {\"amount\": 1}}").subject()).isEqualTo("API - 2026-05-28 17:04:12 UTC");
    }

    @Test
    void refusedCasesStoreNothing() {
        long wf = publish("[]");
        assertThatThrownBy(() -> create(wf, "{\"attributes\": {\"amount\": \"x\"}}"))
                .isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> create(wf, "{\"attributes\": []}")).isInstanceOf(KickoffException.class);
        assertThat(cases.cases).isEmpty();
        assertThat(runs.runs).isEmpty();
        assertThat(queued).isEmpty();
    }

    @Test
    void aQueueThatRefusesStoresNeitherTheCaseNorItsRunAndSays503() {
        long wf = publish("[]");
        caseService = new CaseService(workflows, new VersionCache(workflows, 4), cases, (org, run) -> {
            throw new IllegalStateException("queue down");
        }, new IdGenerator(clock), clock, RunObserver.NONE);
        var e = catchThrowableOfType(KickoffException.class, () -> create(wf, "{\"attributes\": {\"amount\": 1}}"));
        assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("could not be created", "Retry");
        assertThat(cases.cases).isEmpty();
        assertThat(runs.runs).isEmpty();
    }

    @Test
    void aCaseRunIsQueuedBeforeTheCaseAndItsRunAreStored() {
        long wf = publish("[]");
        List<Boolean> storedWhenQueued = new ArrayList<>();
        caseService = new CaseService(workflows, new VersionCache(workflows, 4), cases,
                (org, run) -> storedWhenQueued.add(runs.runs.containsKey(run)), new IdGenerator(clock), clock,
                RunObserver.NONE);
        Case kase = create(wf, "{\"attributes\": {\"amount\": 1}}");
        assertThat(storedWhenQueued).containsExactly(false);
        assertThat(run(kase).status()).isEqualTo(RunStatus.PENDING);
        assertThat(runs.listed).as("queued first: not listed for the sweeper").isEmpty();
    }

    @Test
    void setCaseMovesTheCaseThroughDeclaredStatusesAndTemplatesSeeIt() {
        long wf = publish("""
                [{"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer",
                   "attributes": {"note": "asked about {{case.subject}} ({{case.status}})"}}},
                 {"id": "close", "type": "set_case", "config": {"status": "Closed",
                   "attributes": {"refund": "{{case.attributes.amount | times: 2}}", "was": "{{case.status}}"}}}]""");
        Case kase = create(wf, "{\"subject\": \"Refund request\", \"attributes\": {\"amount\": 21}}");

        assertThat(executor.execute(Delivery.claimed(kase.runId(), "w1"))).isInstanceOf(Outcome.Finished.class);

        Case done = cases.find(kase.id()).orElseThrow();
        assertThat(done.status()).isEqualTo("Closed");
        assertThat(Json.write(done.attributes()))
                .isEqualTo("{\"amount\":21,\"note\":\"asked about Refund request (Open)\",\"refund\":42,\"was\":\"Awaiting customer\"}");
        assertThat(cases.history.get(kase.id())).containsExactly("Open", "Awaiting customer", "Closed");
        Run run = run(kase);
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.steps()).extracting(s -> Json.write(s.output())).containsExactly(
                "{\"status\":\"Awaiting customer\",\"previous_status\":\"Open\"}",
                "{\"status\":\"Closed\",\"previous_status\":\"Awaiting customer\"}");
    }

    @Test
    void anUndeclaredStatusAtRunTimeFailsTheStepAndParksTheCase() {
        long wf = publish("""
                [{"id": "move", "type": "set_case", "config": {"status": "{{input.next}}"}}]""");
        Case kase = create(wf, "{\"attributes\": {\"amount\": 1, \"next\": \"Escalated\"}}");
        executor.execute(Delivery.claimed(kase.runId(), "w1"));
        Run run = run(kase);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("step 'move' failed", "'Escalated' is not declared");
        assertThat(cases.find(kase.id()).orElseThrow().status()).isEqualTo("Error");
    }

    @Test
    void attributesThatBreakTheSchemaFailTheStepAndChangeNothing() {
        long wf = publish("""
                [{"id": "bad", "type": "set_case", "config": {"status": "Awaiting customer", "attributes": {"amount": "lots"}}}]""");
        Case kase = create(wf, "{\"attributes\": {\"amount\": 5}}");
        executor.execute(Delivery.claimed(kase.runId(), "w1"));
        assertThat(run(kase).error()).contains("value at `/amount` is not a number");
        Case parked = cases.find(kase.id()).orElseThrow();
        assertThat(parked.status()).isEqualTo("Error");
        assertThat(Json.write(parked.attributes())).isEqualTo("{\"amount\":5}");
        assertThat(cases.history.get(kase.id())).containsExactly("Open", "Error");
    }

    @Test
    void aFailingRunParksItsCaseInErrorWhereverItWas() {
        long wf = publish("""
                [{"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer"}},
                 {"id": "stop", "type": "fail", "config": {"message": "no refund for {{case.attributes.amount}}"}}]""");
        Case kase = create(wf, "{\"attributes\": {\"amount\": 5}}");
        executor.execute(Delivery.claimed(kase.runId(), "w1"));
        assertThat(run(kase).error()).isEqualTo("step 'stop' failed: no refund for 5");
        assertThat(cases.history.get(kase.id())).containsExactly("Open", "Awaiting customer", "Error");
    }

    @Test
    void aRunResumedAfterACrashDoesNotRepeatASetCaseWrite() {
        long wf = publish("""
                [{"id": "count", "type": "set_case", "config": {"attributes": {"n": "{{case.attributes.n | default: 0 | plus: 1}}"}}}]""");
        Case kase = create(wf, "{\"attributes\": {\"amount\": 5}}");
        // The worker dies right after the case write lands, before the checkpoint.
        cases.afterWrite = () -> {
            throw new Crash();
        };
        assertThatThrownBy(() -> executor.execute(Delivery.claimed(kase.runId(), "w1"))).isInstanceOf(Crash.class);
        assertThat(run(kase).steps()).isEmpty();
        cases.afterWrite = () -> { };

        clock.advance(LEASE.plusSeconds(1));
        assertThat(executor.execute(Delivery.claimed(kase.runId(), "w2"))).isInstanceOf(Outcome.Finished.class);

        assertThat(cases.find(kase.id()).orElseThrow().attributes().get("n").asInt()).isEqualTo(1);
        StepRecord step = run(kase).steps().getFirst();
        assertThat(Json.write(step.output())).isEqualTo("{\"status\":\"Open\",\"previous_status\":null}");
        assertThat(run(kase).attempts()).isEqualTo(2);
    }

    @Test
    void aWorkerThatLostItsLeaseCannotWriteTheCase() {
        long wf = publish("""
                [{"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer"}}]""");
        Case kase = create(wf, "{\"attributes\": {\"amount\": 5}}");
        Run claimed = ((dev.kickoff.core.port.RunStore.ClaimResult.Claimed) runs.claim(kase.runId(), "old",
                clock.instant(), clock.instant().plusSeconds(1))).run();
        clock.advance(Duration.ofSeconds(2));
        runs.claim(kase.runId(), "new", clock.instant(), clock.instant().plus(LEASE));
        var result = cases.write(cases.find(kase.id()).orElseThrow().with("Closed", Json.object(), clock.instant()),
                claimed, "ask");
        assertThat(result).isEqualTo(dev.kickoff.core.port.CaseStore.WriteResult.LEASE_LOST);
        assertThat(cases.find(kase.id()).orElseThrow().status()).isEqualTo("Open");
    }

    @Test
    void setCaseIsCheckedWhenTheDefinitionIsSaved() {
        var e = catchThrowableOfType(KickoffException.class, () -> publish("""
                [{"id": "a", "type": "set_case", "config": {"status": "Escalated"}},
                 {"id": "b", "type": "set_case", "config": {}},
                 {"id": "c", "type": "set_case", "config": {"status": 3, "attributes": [1], "colour": "red"}},
                 {"id": "d", "type": "set_case", "config": {"status": "{{input.next}}", "attributes": "{{steps.x.output}}"}},
                 {"id": "e", "type": "set_case", "config": {"status": "Awaiting customer", "attributes": {"x": 1}}}]"""));
        assertThat(e.reason()).isEqualTo(Reason.INVALID_DEFINITION);
        assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder(
                "/steps/0/config/status", "/steps/1/config", "/steps/2/config/status", "/steps/2/config/attributes",
                "/steps/2/config/colour");
        assertThat(e.details().getFirst().message()).contains("'Escalated' is not declared", "Awaiting customer");

        var standard = catchThrowableOfType(KickoffException.class, () -> workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "s", "steps": [{"id": "a", "type": "set_case", "config": {"status": "Closed"}}]}""")));
        assertThat(standard.details()).extracting(FieldError::path).containsExactly("/steps/0/type");
        assertThat(standard.details().getFirst().message()).contains("direct_case");
    }

    @Test
    void setCaseOutsideACaseRunFailsTheStep() {
        var step = new SetCaseStep();
        assertThatThrownBy(() -> step.execute(new StepInvocation(null, Json.object().put("status", "Closed"), null,
                Json.object(), null))).isInstanceOf(StepFailedException.class).hasMessageContaining("started by creating a case");
    }

    static final class Crash extends Error {
    }
}
