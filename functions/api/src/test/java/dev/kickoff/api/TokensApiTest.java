package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokensApiTest {
    static ApiStack stack;
    static ApiStack.Org org;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("tokens-api");
        org = stack.newOrg();
    }

    @Test
    void createShowsTheSecretOnceAndListShowsOnlyItsPrefix() {
        var created = stack.http.post("/api/manage/v1/tokens", org.manageToken(), "{\"name\":\"deploy bot\",\"scope\":\"api\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        JsonNode token = created.json().get("token");
        assertThat(token.fieldNames()).toIterable()
                .containsExactly("id", "name", "scope", "scopes", "workflow_ids", "prefix", "created_at");
        assertThat(token.get("scope").asText()).isEqualTo("api");
        assertThat(token.get("scopes")).extracting(JsonNode::asText)
                .containsExactly("workflows:execute", "runs:read", "cases:write", "cases:read", "runs:control");
        assertThat(token.get("workflow_ids").isNull()).isTrue();
        String secret = created.json().get("secret").asText();
        assertThat(secret).startsWith("api_").hasSizeGreaterThanOrEqualTo(4 + 22);
        assertThat(token.get("prefix").asText()).isEqualTo(secret.substring(0, 8));

        var list = stack.http.get("/api/manage/v1/tokens", org.manageToken());
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(secret);
        assertThat(list.json().get("tokens")).anySatisfy(t -> assertThat(t.get("id")).isEqualTo(token.get("id")));

        var manage = stack.http.post("/api/manage/v1/tokens", org.manageToken(), "{\"name\":\"admin\",\"scope\":\"manage\"}");
        assertThat(manage.json().get("secret").asText()).startsWith("mgt_");
    }

    @Test
    void aRevokedTokenIsRefusedOnTheVeryNextRequest() {
        var created = stack.http.post("/api/manage/v1/tokens", org.manageToken(), "{\"name\":\"temp\",\"scope\":\"api\"}");
        String secret = created.json().get("secret").asText();
        long id = created.json().get("token").get("id").asLong();
        long workflow = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        String runs = "/api/external/v1/workflows/" + workflow + "/runs";
        assertThat(stack.http.post(runs, secret, "{}").status()).isEqualTo(201);

        var revoked = stack.http.send("DELETE", "/api/manage/v1/tokens/" + id, (byte[]) null,
                "Authorization", "Bearer " + org.manageToken());
        assertThat(revoked.status()).isEqualTo(204);

        var after = stack.http.post(runs, secret, "{}");
        assertThat(after.status()).isEqualTo(401);
        assertThat(stack.http.send("DELETE", "/api/manage/v1/tokens/" + id, (byte[]) null,
                "Authorization", "Bearer " + org.manageToken()).status()).isEqualTo(404);
    }

    @Test
    void tokensOfAnotherOrganizationCannotBeSeenOrRevoked() {
        ApiStack.Org other = stack.newOrg();
        var mine = stack.http.post("/api/manage/v1/tokens", org.manageToken(), "{\"name\":\"mine\",\"scope\":\"api\"}");
        long id = mine.json().get("token").get("id").asLong();
        assertThat(stack.http.get("/api/manage/v1/tokens", other.manageToken()).body()).doesNotContain(Long.toString(id));
        assertThat(stack.http.send("DELETE", "/api/manage/v1/tokens/" + id, (byte[]) null,
                "Authorization", "Bearer " + other.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.post("/api/external/v1/workflows/1/runs", mine.json().get("secret").asText(), "{}")
                .status()).as("still valid").isEqualTo(404);
    }

    @Test
    void scopesAreEnforced() {
        var refused = stack.http.get("/api/manage/v1/tokens", org.apiToken());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("error").asText()).contains("manage scope");
    }

    @Test
    void invalidRequestsListEveryProblem() {
        var response = stack.http.post("/api/manage/v1/tokens", org.manageToken(), "{\"scope\":\"root\",\"x\":1}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("validation_errors")).extracting(e -> e.get("path").asText())
                .containsExactlyInAnyOrder("/name", "/scope", "/x");
        assertThat(stack.http.post("/api/manage/v1/tokens", org.manageToken(), "nope").status()).isEqualTo(400);
    }
}
