package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the deployed handler: what a workflow's schemas may hold when it is saved (a valid JSON Schema, patterns
 * a linear-time engine can run), how its patterns behave on runs, and the webhook limit's 422.
 */
class SchemaRulesApiTest {
    static ApiStack stack;
    static ApiStack.Org org;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("schema-rules");
        org = stack.newOrg();
        stack.drainRunsQueue();
    }

    static String workflow(String inputSchema) {
        return "{\"name\": \"Patterns\", \"inputSchema\": " + inputSchema
                + ", \"steps\": [{\"id\": \"echo\", \"type\": \"transform\", \"config\": {\"mapping\": {\"seen\": \"{{input}}\"}}}]}";
    }

    static List<String> paths(LambdaHttp.Response response) {
        List<String> out = new ArrayList<>();
        response.json().get("validation_errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }

    LambdaHttp.Response run(long workflowId, String input) {
        return stack.http.post("/api/external/v1/workflows/" + workflowId + "/runs", org.apiToken(),
                "{\"input\": " + input + "}");
    }

    /** {@code ^((a*)*)*b$} against 28 a's took ~100 s of a core; {@code ^(ab|cd)*$} was a "$ref loop". */
    @Test
    void patternsThatBacktrackedForeverAreSavedAndRunInLinearTime() {
        long id = stack.publishedWorkflow(org, workflow("""
                {"type": "object", "properties": {
                  "bomb": {"type": "string", "pattern": "^((a*)*)*b$"},
                  "pairs": {"type": "string", "pattern": "^(ab|cd)*$"}}}"""));

        var refused = run(id, "{\"bomb\": \"" + "a".repeat(28) + "\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(paths(refused)).containsExactly("/bomb");
        assertThat(refused.body()).contains("input_validation_failed").doesNotContain("$ref");

        var accepted = run(id, "{\"pairs\": \"" + "ab".repeat(3000) + "\", \"bomb\": \"" + "a".repeat(28) + "b\"}");
        assertThat(accepted.status()).as(accepted.toString().substring(0, Math.min(300, accepted.toString().length())))
                .isEqualTo(201);
        assertThat(stack.drainRunsQueue()).hasSize(1);
    }

    @Test
    void patternsThatNeedBacktrackingAreRefusedWhenSavedWithTheirPointers() {
        var response = stack.http.post("/api/manage/v1/workflows", org.manageToken(), workflow("""
                {"type": "object",
                 "properties": {"password": {"type": "string", "pattern": "^(?=.*\\\\d).{8,}$"},
                                "twice": {"type": "string", "pattern": "^(a+)\\\\1$"}},
                 "patternProperties": {"(x{1000}){1000}": {}}}"""));
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_definition");
        assertThat(paths(response)).containsExactlyInAnyOrder("/inputSchema/properties/password/pattern",
                "/inputSchema/properties/twice/pattern", "/inputSchema/patternProperties/(x{1000}){1000}");
        assertThat(response.body()).contains("lookahead", "backreferences", "too large");
    }

    /** These used to be saved: multipleOf 0 and a negative minLength compiled, and every run met them. */
    @Test
    void invalidJsonSchemasAreRefusedWhenSavedWithTheirPointers() {
        var response = stack.http.post("/api/manage/v1/workflows", org.manageToken(), workflow("""
                {"type": "object", "properties": {"amount": {"type": "number", "multipleOf": 0},
                 "code": {"type": "string", "minLength": -1}, "tags": {"type": "array", "uniqueItems": "yes"}}}"""));
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        assertThat(paths(response)).containsExactly("/inputSchema/properties/amount/multipleOf",
                "/inputSchema/properties/code/minLength", "/inputSchema/properties/tags/uniqueItems");

        var attributes = stack.http.post("/api/manage/v1/workflows", org.manageToken(), """
                {"name": "Cases", "kind": "direct_case", "steps": [],
                 "attributeSchema": {"type": "object", "properties": {"n": {"maximum": "ten"}}}}""");
        assertThat(attributes.status()).as(attributes.toString()).isEqualTo(422);
        assertThat(paths(attributes)).containsExactly("/attributeSchema/properties/n/maximum");
    }

    @Test
    void theTwentyFirstWebhookIs422WithAPointer() {
        ApiStack.Org fresh = stack.newOrg();
        for (int i = 0; i < 20; i++) {
            var created = stack.http.post("/api/manage/v1/webhooks", fresh.manageToken(),
                    "{\"url\": \"https://hooks.example.com/" + i + "\", \"events\": [\"run.completed\"]}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }
        var refused = stack.http.post("/api/manage/v1/webhooks", fresh.manageToken(),
                "{\"url\": \"https://hooks.example.com/21\", \"events\": [\"run.completed\"]}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        JsonNode errors = refused.json().get("validation_errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("path").asText()).isEmpty();
        assertThat(errors.get(0).get("error").asText()).contains("at most 20 webhooks");
    }
}
