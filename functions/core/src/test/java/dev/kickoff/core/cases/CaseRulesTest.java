package dev.kickoff.core.cases;

import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.workflow.WorkflowDefinition;
import dev.kickoff.core.workflow.WorkflowDefinitions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CaseRulesTest {
    static final Instant AT = Instant.parse("2026-05-28T17:04:12.345Z");
    static final WorkflowDefinition REFUNDS = new WorkflowDefinitions(StepRegistry.standard(),
            List.of(JsonSchemas.definitionCheck())).parse(Json.parse("""
            {"name": "Refunds", "kind": "direct_case", "statuses": ["Awaiting customer"],
             "attributeSchema": {"type": "object", "required": ["amount"],
               "properties": {"amount": {"type": "number"},
                              "customer": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}},
                              "items": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}}}}}"""));

    @Test
    void theDefaultSubjectIsTheSeedsFormatInUtc() {
        assertThat(CaseRules.defaultSubject(AT)).isEqualTo("API - 2026-05-28 17:04:12 UTC");
        assertThat(CaseRules.defaultSubject(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("API - 2026-01-02 03:04:05 UTC");
    }

    @Test
    void aMissingNullOrBlankSubjectGetsTheDefault() {
        for (String body : new String[]{"{}", "{\"subject\": null}", "{\"subject\": \"\"}", "{\"subject\": \" \\t\\n\"}"}) {
            assertThat(CaseRules.subject(Json.parse(body).get("subject"), AT)).as(body).isEqualTo("API - 2026-05-28 17:04:12 UTC");
        }
        assertThat(CaseRules.subject(Json.nodes().textNode("Refund request"), AT)).isEqualTo("Refund request");
    }

    @Test
    void subjectsAreStringsOfAtMost255Characters() {
        assertThat(CaseRules.subject(Json.nodes().textNode("é".repeat(255)), AT)).hasSize(255);
        var tooLong = catchThrowableOfType(KickoffException.class,
                () -> CaseRules.subject(Json.nodes().textNode("x".repeat(256)), AT));
        assertThat(tooLong.reason()).isEqualTo(Reason.VALIDATION_FAILED);
        assertThat(tooLong.details()).extracting(FieldError::path).containsExactly("/subject");
        var number = catchThrowableOfType(KickoffException.class, () -> CaseRules.subject(Json.nodes().numberNode(42), AT));
        assertThat(number.reason()).isEqualTo(Reason.VALIDATION_FAILED);
    }

    @Test
    void attributesMustBeAnObject() {
        assertThat(CaseRules.attributes(null)).isEmpty();
        assertThat(CaseRules.attributes(Json.nodes().nullNode())).isEmpty();
        for (String bad : new String[]{"[1]", "\"x\"", "42", "true"}) {
            var e = catchThrowableOfType(KickoffException.class, () -> CaseRules.attributes(Json.parse(bad)));
            assertThat(e.reason()).as(bad).isEqualTo(Reason.ATTRIBUTES_VALIDATION_FAILED);
            assertThat(e.details()).extracting(FieldError::path).containsExactly("");
        }
    }

    @Test
    void schemaFailuresListEveryProblemAtItsPointer() {
        var e = catchThrowableOfType(KickoffException.class, () -> CaseRules.validate(REFUNDS, Json.parse("""
                {"amount": "42", "customer": {"email": 7}, "items": [{"qty": 1.5}]}""")));
        assertThat(e.reason()).isEqualTo(Reason.ATTRIBUTES_VALIDATION_FAILED);
        assertThat(e.reason().code()).isEqualTo("attributes_validation_failed");
        assertThat(e.details()).containsExactlyInAnyOrder(
                new FieldError("/amount", "value at `/amount` is not a number"),
                new FieldError("/customer/email", "value at `/customer/email` is not a string"),
                new FieldError("/items/0/qty", "value at `/items/0/qty` is not an integer"));
        assertThatCode(() -> CaseRules.validate(REFUNDS, Json.parse("{\"amount\": 42}"))).doesNotThrowAnyException();
    }

    @Test
    void attributesHaveASizeLimit() {
        var big = Json.object().put("note", "x".repeat(CaseRules.MAX_ATTRIBUTES_BYTES));
        var e = catchThrowableOfType(KickoffException.class, () -> CaseRules.validate(REFUNDS, big.put("amount", 1)));
        assertThat(e.getMessage()).contains("over the limit");
    }

    @Test
    void onlyDeclaredStatusesAreAccepted() {
        for (String ok : new String[]{"Open", "Closed", "Error", "Awaiting customer"}) {
            assertThatCode(() -> CaseRules.requireDeclared(REFUNDS, ok)).doesNotThrowAnyException();
        }
        var e = catchThrowableOfType(KickoffException.class, () -> CaseRules.requireDeclared(REFUNDS, "open"));
        assertThat(e.getMessage()).contains("'open' is not declared", "Open, Closed, Error, Awaiting customer");
    }

    @Test
    void attributesMergeAsAJsonMergePatch() {
        var target = Json.parse("{\"amount\": 42, \"reason\": \"late\", \"customer\": {\"name\": \"Ann\", \"email\": \"a@b.co\"}}");
        var patch = Json.parse("{\"reason\": null, \"customer\": {\"email\": \"ann@b.co\"}, \"tags\": [\"vip\"], \"amount\": 12.50}");
        var merged = CaseRules.mergePatch(target, patch);
        assertThat(Json.write(merged)).isEqualTo(
                "{\"amount\":12.50,\"customer\":{\"name\":\"Ann\",\"email\":\"ann@b.co\"},\"tags\":[\"vip\"]}");
        assertThat(CaseRules.mergePatch(merged, patch)).as("applying a patch twice changes nothing more").isEqualTo(merged);
        assertThat(target.has("reason")).as("the target is not modified").isTrue();
    }
}
