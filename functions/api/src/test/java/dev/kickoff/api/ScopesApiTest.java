package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Fine-grained token scopes, workflow-restricted tokens, and how each shape names a missing credential. */
class ScopesApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static long workflow;
    static long otherWorkflow;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("scopes-api");
        org = stack.newOrg();
        workflow = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        otherWorkflow = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
    }

    static String runs(long id) {
        return "/api/external/v1/workflows/" + id + "/runs";
    }

    JsonNode token(String body) {
        var created = stack.http.post("/api/manage/v1/tokens", org.manageToken(), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    @Test
    void aTokenWithoutTheScopeIs403NamingItInEveryShape() {
        String reader = token("{\"name\":\"reader\",\"scopes\":[\"runs:read\"]}").get("secret").asText();
        assertThat(reader).startsWith("api_");

        var canonical = stack.http.post(runs(workflow), reader, "{}");
        assertThat(canonical.status()).isEqualTo(403);
        assertThat(canonical.json().get("code").asText()).isEqualTo("wrong_scope");
        assertThat(canonical.json().get("error").asText()).contains("workflows:execute");
        assertThat(canonical.header("RateLimit-Limit")).as("not counted").isNull();

        var v1 = stack.http.send("POST", "/api/v1/workflows/" + workflow + "/run", "{}", "x-api-key", reader);
        assertThat(v1.status()).isEqualTo(403);
        assertThat(v1.json().get("error").get("code").asText()).isEqualTo("FORBIDDEN");
        var workspace = stack.http.post("/api/v1/workspaces/" + org.id() + "/workflows/" + workflow + "/trigger",
                reader, "{}");
        assertThat(workspace.status()).isEqualTo(403);
        assertThat(workspace.json().get("detail").asText()).contains("workflows:execute");
        var minimal = stack.http.send("POST", "/workflows/" + workflow + "/run", "{}", "X-API-KEY", reader);
        assertThat(minimal.status()).isEqualTo(403);
        assertThat(minimal.json().get("error").get("message").asText()).contains("workflows:execute");

        // It can read what an api token started.
        var started = stack.http.post(runs(workflow), org.apiToken(), "{}");
        String run = runs(workflow) + "/" + started.json().get("workflow_run").get("id").asLong();
        assertThat(stack.http.get(run, reader).status()).isEqualTo(200);
        assertThat(stack.http.post("/api/external/v1/workflows/" + workflow + "/cases", reader, "{}").status())
                .as("cases:write missing").isEqualTo(403);
    }

    @Test
    void aTokenRestrictedToWorkflowsUsesOnlyThose() {
        JsonNode created = token("{\"name\":\"one\",\"scopes\":[\"workflows:execute\",\"runs:read\"],\"workflow_ids\":["
                + workflow + "]}");
        assertThat(created.get("token").get("scope").asText()).isEqualTo("custom");
        assertThat(created.get("token").get("workflow_ids").get(0).asLong()).isEqualTo(workflow);
        String secret = created.get("secret").asText();
        var ok = stack.http.post(runs(workflow), secret, "{}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        var other = stack.http.post(runs(otherWorkflow), secret, "{}");
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.json().get("error").asText()).contains(Long.toString(workflow));
        var foreignRun = stack.http.post(runs(otherWorkflow), org.apiToken(), "{}");
        long runId = foreignRun.json().get("workflow_run").get("id").asLong();
        assertThat(stack.http.send("GET", "/api/v1/runs/run_" + runId, (byte[]) null, "x-api-key", secret).status())
                .as("a run of another workflow is not this token's to see").isEqualTo(404);

        var listed = stack.http.get("/api/manage/v1/tokens", org.manageToken()).json().get("tokens");
        assertThat(listed).anySatisfy(t -> {
            assertThat(t.get("id")).isEqualTo(created.get("token").get("id"));
            assertThat(t.get("scopes")).extracting(JsonNode::asText)
                    .containsExactly("workflows:execute", "runs:read");
        });
    }

    @Test
    void aManageScopeTokenManagesOnlyWhatItNames() {
        String hooks = token("{\"name\":\"hooks\",\"scopes\":[\"webhooks:read\"]}").get("secret").asText();
        assertThat(hooks).startsWith("mgt_");
        assertThat(stack.http.get("/api/manage/v1/webhooks", hooks).status()).isEqualTo(200);
        var tokens = stack.http.get("/api/manage/v1/tokens", hooks);
        assertThat(tokens.status()).isEqualTo(403);
        assertThat(tokens.json().get("error").asText()).contains("tokens:read");
        assertThat(stack.http.post(runs(workflow), hooks, "{}").status())
                .as("no external scope at all: not an API token there").isEqualTo(401);
    }

    @Test
    void anApiTokenIs403OnEveryManageEndpoint() {
        String[][] requests = {{"GET", "/api/manage/v1/tokens"}, {"POST", "/api/manage/v1/tokens"},
                {"DELETE", "/api/manage/v1/tokens/1"}, {"GET", "/api/manage/v1/workflows"},
                {"POST", "/api/manage/v1/workflows"}, {"GET", "/api/manage/v1/workflows/1"},
                {"PUT", "/api/manage/v1/workflows/1"}, {"POST", "/api/manage/v1/workflows/1/publish"},
                {"GET", "/api/manage/v1/workflows/1/cases?status=Open"}, {"GET", "/api/manage/v1/webhooks"},
                {"POST", "/api/manage/v1/webhooks"}, {"GET", "/api/manage/v1/webhooks/1"},
                {"DELETE", "/api/manage/v1/webhooks/1"}, {"POST", "/api/manage/v1/webhooks/1/rotate-secret"},
                {"POST", "/api/manage/v1/webhooks/1/enable"}, {"GET", "/api/manage/v1/webhooks/1/deliveries"},
                {"POST", "/api/manage/v1/webhooks/deliveries/d1/replay"}};
        for (String[] r : requests) {
            var response = stack.http.send(r[0], r[1], r[0].equals("GET") || r[0].equals("DELETE") ? null : "{}",
                    "Authorization", "Bearer " + org.apiToken());
            assertThat(response.status()).as("%s %s: %s", r[0], r[1], response).isEqualTo(403);
            assertThat(response.json().get("error").asText()).contains("manage scope");
        }
    }

    @Test
    void invalidScopeRequestsListEveryProblem() {
        var response = stack.http.post("/api/manage/v1/tokens", org.manageToken(),
                "{\"name\":\"x\",\"scopes\":[\"runs:read\",\"nope\"],\"workflow_ids\":[0]}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("validation_errors")).extracting(e -> e.get("path").asText())
                .containsExactlyInAnyOrder("/scopes/1", "/workflow_ids/0");
        var both = stack.http.post("/api/manage/v1/tokens", org.manageToken(),
                "{\"name\":\"x\",\"scope\":\"api\",\"scopes\":[\"runs:read\"]}");
        assertThat(both.status()).isEqualTo(422);
    }

    @Test
    void eachShapeNamesTheHeaderItDocumentsAndConflictingCredentialsAre401() {
        var v1 = stack.http.send("POST", "/api/v1/workflows/" + workflow + "/run", "{}");
        assertThat(v1.status()).isEqualTo(401);
        assertThat(v1.json().get("error").get("message").asText()).contains("x-api-key").doesNotContain("Bearer");
        var minimal = stack.http.send("GET", "/workflows/" + workflow + "/executions/exec_1", (byte[]) null);
        assertThat(minimal.json().get("error").get("message").asText()).contains("X-API-KEY");
        var canonical = stack.http.send("GET", runs(workflow) + "/1", (byte[]) null);
        assertThat(canonical.json().get("error").asText()).contains("Authorization: Bearer");

        var conflicting = stack.http.send("POST", runs(workflow), "{}", "Authorization", "Bearer " + org.apiToken(),
                "x-api-key", "api_somethingelse");
        assertThat(conflicting.status()).isEqualTo(401);
        assertThat(conflicting.json().get("error").asText()).contains("different");
        var agreeing = stack.http.send("POST", runs(workflow), "{}", "Authorization", "Bearer " + org.apiToken(),
                "x-api-key", org.apiToken());
        assertThat(agreeing.status()).isEqualTo(201);
    }
}
