package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WorkflowsApiTest {
    static ApiStack stack;
    static ApiStack.Org org;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("workflows-api");
        org = stack.newOrg();
    }

    @Test
    void createEditPublishAndRead() {
        var created = stack.http.post("/api/manage/v1/workflows", org.manageToken(), ApiStack.ORDER_WORKFLOW);
        assertThat(created.status()).isEqualTo(201);
        JsonNode wf = created.json().get("workflow");
        long id = wf.get("id").asLong();
        assertThat(id).isPositive().isLessThan(1L << 53);
        assertThat(wf.get("version").asInt()).isEqualTo(1);
        assertThat(wf.get("status").asText()).isEqualTo("draft");
        assertThat(wf.get("kind").asText()).isEqualTo("standard");
        assertThat(wf.get("definition").get("steps").get(0).get("id").asText()).isEqualTo("calculate-total");

        var published = stack.http.post("/api/manage/v1/workflows/" + id + "/publish", org.manageToken(), null);
        assertThat(published.json().get("workflow").get("status").asText()).isEqualTo("published");
        assertThat(published.json().get("workflow").get("published_version").asInt()).isEqualTo(1);

        String v2 = ApiStack.ORDER_WORKFLOW.replace("Process Customer Order", "Process Order v2");
        var edited = stack.http.send("PUT", "/api/manage/v1/workflows/" + id, v2,
                "Authorization", "Bearer " + org.manageToken());
        assertThat(edited.status()).isEqualTo(200);
        assertThat(edited.json().get("workflow").get("version").asInt()).isEqualTo(2);
        assertThat(edited.json().get("workflow").get("published_version").asInt()).as("v1 still serves runs").isEqualTo(1);
        assertThat(edited.json().get("workflow").get("name").asText()).isEqualTo("Process Order v2");

        var run = stack.http.post("/api/external/v1/workflows/" + id + "/runs", org.apiToken(), "{}");
        assertThat(run.json().get("workflow_run").get("workflow_version").asInt()).isEqualTo(1);

        stack.http.post("/api/manage/v1/workflows/" + id + "/publish", org.manageToken(), "{\"version\": 2}");
        var run2 = stack.http.post("/api/external/v1/workflows/" + id + "/runs", org.apiToken(), "{}");
        assertThat(run2.json().get("workflow_run").get("workflow_version").asInt()).isEqualTo(2);

        var read = stack.http.get("/api/manage/v1/workflows/" + id, org.manageToken());
        assertThat(read.json().get("workflow").get("version").asInt()).isEqualTo(2);
        assertThat(stack.http.post("/api/manage/v1/workflows/" + id + "/publish", org.manageToken(),
                "{\"version\": 9}").status()).isEqualTo(400);
    }

    @Test
    void anInvalidDefinitionIs422WithEveryProblem() {
        var response = stack.http.post("/api/manage/v1/workflows", org.manageToken(), """
                {"name": "", "steps": [{"id": "a", "type": "teleport"}, {"id": "a", "type": "transform",
                  "config": {"mapping": {"x": "{{ input.x | nope }}"}}}]}""");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_definition");
        assertThat(response.json().get("validation_errors")).extracting(e -> e.get("path").asText())
                .contains("/name", "/steps/0/type", "/steps/1/id", "/steps/1/config/mapping/x");
    }

    @Test
    void listsPageWithAnOpaqueCursorAndStayInTheOrg() {
        ApiStack.Org fresh = stack.newOrg();
        for (int i = 0; i < 5; i++) {
            stack.createWorkflow(fresh, "{\"name\": \"wf" + i + "\", \"steps\": []}");
        }
        Set<Long> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = stack.http.get("/api/manage/v1/workflows?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    fresh.manageToken());
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().get("workflows").forEach(w -> seen.add(w.get("id").asLong()));
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).hasSize(5);
        assertThat(stack.http.get("/api/manage/v1/workflows?cursor=bogus", fresh.manageToken()).status()).isEqualTo(400);
        // A forged cursor inside the caller's own partition, but not a whole key: 400, not DynamoDB's 500.
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("pk=ORG#" + fresh.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(stack.http.get("/api/manage/v1/workflows?cursor=" + forged, fresh.manageToken()).status())
                .isEqualTo(400);
        assertThat(stack.http.get("/api/manage/v1/workflows?limit=x", fresh.manageToken()).status()).isEqualTo(400);
    }

    @Test
    void anotherOrganizationsWorkflowDoesNotExist() {
        ApiStack.Org other = stack.newOrg();
        long id = stack.createWorkflow(org, "{\"name\": \"private\", \"steps\": []}");
        assertThat(stack.http.get("/api/manage/v1/workflows/" + id, other.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.post("/api/manage/v1/workflows/" + id + "/publish", other.manageToken(), null).status())
                .isEqualTo(404);
        assertThat(stack.http.send("PUT", "/api/manage/v1/workflows/" + id, "{\"name\":\"x\",\"steps\":[]}",
                "Authorization", "Bearer " + other.manageToken()).status()).isEqualTo(404);
    }
}
