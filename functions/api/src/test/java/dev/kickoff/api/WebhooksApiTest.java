package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook management API: validation, the secret shown once, and organizations kept apart. */
class WebhooksApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("webhooks-api");
        org = stack.newOrg();
        other = stack.newOrg();
    }

    @Test
    void createShowsTheSecretOnceAndNothingElseEverShowsIt() {
        long wf = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        var created = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"https://hooks.example.com/kickoff\", \"events\": [\"run.completed\", \"run.failed\"], "
                        + "\"workflow_id\": " + wf + "}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        JsonNode hook = created.json().get("webhook");
        assertThat(hook.fieldNames()).toIterable().containsExactly("id", "url", "events", "workflow_id", "status",
                "disabled_reason", "disabled_at", "failing_since", "previous_secret_expires_at", "created_at",
                "updated_at");
        assertThat(hook.get("events").toString()).isEqualTo("[\"run.completed\",\"run.failed\"]");
        assertThat(hook.get("workflow_id").asLong()).isEqualTo(wf);
        assertThat(hook.get("status").asText()).isEqualTo("enabled");
        String secret = created.json().get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        long id = hook.get("id").asLong();

        var one = stack.http.get("/api/manage/v1/webhooks/" + id, org.manageToken());
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("webhook")).isEqualTo(hook);
        var list = stack.http.get("/api/manage/v1/webhooks", org.manageToken());
        assertThat(list.json().get("webhooks")).anySatisfy(w -> assertThat(w.get("id").asLong()).isEqualTo(id));
        assertThat(one.body() + list.body()).doesNotContain(secret).doesNotContain(secret.substring(6, 20));

        var log = stack.http.get("/api/manage/v1/webhooks/" + id + "/deliveries?limit=5", org.manageToken());
        assertThat(log.status()).isEqualTo(200);
        assertThat(log.json().get("deliveries")).isEmpty();
        assertThat(log.json().get("next_cursor").isNull()).isTrue();
    }

    @Test
    void invalidSubscriptionsListEveryProblem() {
        var response = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"http://hooks.example.com/x\", \"events\": [\"run.completed\", \"run.exploded\", 3], "
                        + "\"secret\": \"mine\"}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("validation_errors")).extracting(e -> e.get("path").asText())
                .containsExactlyInAnyOrder("/url", "/events/1", "/events/2", "/secret");
        assertThat(response.json().toString()).contains("url must use https", "known events: run.completed");

        for (String url : new String[]{"https://user:pass@hooks.example.com/", "https://127.0.0.1/x",
                "https://169.254.169.254/latest", "https://[::1]/", "https://10.0.0.7/", "http://localhost:9/",
                "ftp://hooks.example.com/", "hooks.example.com/x", "https://hooks.example.com/#frag",
                "https://localhost/x", "https://hooks.example.com/" + "a".repeat(2100)}) {
            var refused = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                    "{\"url\": \"" + url + "\", \"events\": [\"run.completed\"]}");
            assertThat(refused.status()).as(url).isEqualTo(422);
            assertThat(refused.json().get("validation_errors").get(0).get("path").asText()).isEqualTo("/url");
        }
        assertThat(stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"https://h.example.com/\", \"events\": []}").status()).isEqualTo(422);
        assertThat(stack.http.post("/api/manage/v1/webhooks", org.manageToken(), "[]").status()).isEqualTo(400);
        assertThat(stack.http.post("/api/manage/v1/webhooks", org.manageToken(), "{bad").status()).isEqualTo(400);
        assertThat(stack.http.post("/api/manage/v1/webhooks", org.apiToken(),
                "{\"url\": \"https://h.example.com/\", \"events\": [\"run.completed\"]}").status())
                .as("an api token cannot manage webhooks").isEqualTo(403);
    }

    @Test
    void anotherOrganizationsWorkflowWebhooksAndDeliveriesAreNotFound() {
        long theirWorkflow = stack.publishedWorkflow(other, ApiStack.ORDER_WORKFLOW);
        var refused = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"https://h.example.com/\", \"events\": [\"run.completed\"], \"workflow_id\": "
                        + theirWorkflow + "}");
        assertThat(refused.status()).isEqualTo(404);

        long id = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"https://h.example.com/\", \"events\": [\"case.created\"]}").json()
                .get("webhook").get("id").asLong();
        String path = "/api/manage/v1/webhooks/" + id;
        assertThat(stack.http.get(path, other.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(path + "/deliveries", other.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.post(path + "/rotate-secret", other.manageToken(), null).status()).isEqualTo(404);
        assertThat(stack.http.post(path + "/enable", other.manageToken(), null).status()).isEqualTo(404);
        assertThat(stack.http.send("DELETE", path, (byte[]) null, "Authorization", "Bearer " + other.manageToken())
                .status()).isEqualTo(404);
        assertThat(stack.http.get("/api/manage/v1/webhooks", other.manageToken()).body())
                .doesNotContain(Long.toString(id));
        assertThat(stack.http.post("/api/manage/v1/webhooks/deliveries/msg_0123456789abcdef0123456789abcdef/replay",
                other.manageToken(), null).status()).isEqualTo(404);

        assertThat(stack.http.get(path, org.manageToken()).status()).as("still there for its owner").isEqualTo(200);
        assertThat(stack.http.send("DELETE", path, (byte[]) null, "Authorization", "Bearer " + org.manageToken())
                .status()).isEqualTo(204);
        assertThat(stack.http.get(path, org.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.get("/api/manage/v1/webhooks/abc", org.manageToken()).status()).isEqualTo(404);
    }

    @Test
    void rotationReturnsANewSecretAndKeepsTheOldOneSigningFor24Hours() {
        var created = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"https://h.example.com/\", \"events\": [\"run.completed\"]}");
        long id = created.json().get("webhook").get("id").asLong();
        var rotated = stack.http.post("/api/manage/v1/webhooks/" + id + "/rotate-secret", org.manageToken(), null);
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().get("secret").asText()).startsWith("whsec_")
                .isNotEqualTo(created.json().get("secret").asText());
        java.time.Instant until = java.time.Instant.parse(rotated.json().get("webhook")
                .get("previous_secret_expires_at").asText());
        assertThat(java.time.Duration.between(java.time.Instant.now(), until).toHours()).isBetween(23L, 24L);
    }

    @Test
    void deliveryLogParametersAreChecked() {
        long id = stack.http.post("/api/manage/v1/webhooks", org.manageToken(),
                "{\"url\": \"https://h.example.com/\", \"events\": [\"run.completed\"]}").json()
                .get("webhook").get("id").asLong();
        String log = "/api/manage/v1/webhooks/" + id + "/deliveries";
        assertThat(stack.http.get(log + "?limit=0", org.manageToken()).status()).isEqualTo(400);
        assertThat(stack.http.get(log + "?limit=x", org.manageToken()).status()).isEqualTo(400);
        assertThat(stack.http.get(log + "?cursor=garbage", org.manageToken()).status()).isEqualTo(400);
    }
}
