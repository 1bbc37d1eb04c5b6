package dev.kickoff.core.workflow;

import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class WorkflowDefinitionsTest {
    final WorkflowDefinitions definitions = new WorkflowDefinitions(StepRegistry.standard());

    @Test
    void acceptsTheSeedsCalculateTotalStep() {
        var def = definitions.parse(Json.parse("""
                {"name": "Process Customer Order", "description": "d", "trigger": {"type": "api"},
                 "inputSchema": {"type": "object", "required": ["customerId"]},
                 "steps": [{"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
                   "config": {"mapping": {"total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}}]}
                """));
        assertThat(def.kind()).isEqualTo(WorkflowKind.STANDARD);
        assertThat(def.steps()).hasSize(1);
        assertThat(def.triggerType()).isEqualTo("api");
    }

    @Test
    void listsEveryProblemAtItsPointer() {
        var e = catchThrowableOfType(KickoffException.class, () -> definitions.parse(Json.parse("""
                {"name": " ", "kind": "weird", "trigger": {"type": "cron"}, "extra": 1,
                 "steps": [{"id": "a", "type": "transform", "config": {"mapping": {"x": "{{ input | nope }}"}}},
                           {"id": "a", "type": "email"},
                           {"id": "b c", "type": "transform"},
                           "not an object"]}""")));
        assertThat(e.reason()).isEqualTo(Reason.INVALID_DEFINITION);
        assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder(
                "/extra", "/name", "/kind", "/trigger/type",
                "/steps/0/config/mapping/x", "/steps/1/id", "/steps/1/type",
                "/steps/2/id", "/steps/2/config/mapping", "/steps/3");
        assertThat(e.details()).filteredOn(p -> p.path().equals("/steps/1/type")).first()
                .extracting(FieldError::message).asString().contains("unknown step type 'email'", "transform", "fail");
    }

    @Test
    void caseStatusesAlwaysIncludeTheDefaults() {
        var def = definitions.parse(Json.parse("""
                {"name": "Refunds", "kind": "direct_case", "statuses": ["Awaiting customer", "Open"],
                 "attributeSchema": {"type": "object"}, "steps": []}"""));
        assertThat(def.statuses()).containsExactly("Open", "Closed", "Error", "Awaiting customer");
    }

    @Test
    void refusesNonObjects() {
        var e = catchThrowableOfType(KickoffException.class, () -> definitions.parse(Json.parse("[1]")));
        assertThat(e.reason()).isEqualTo(Reason.INVALID_DEFINITION);
    }
}
