package dev.kickoff.api;

import dev.kickoff.emulators.HttpApiEvents;
import dev.kickoff.emulators.LocalLambdaContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the edge refuses before the core sees a request: media types, list limits, unknown keys, its own words. */
class EdgeRequestsApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static long workflow;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("edge-requests");
        org = stack.newOrg();
        workflow = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
    }

    @Test
    void aBodyThatIsNotJsonIs415InTheCallersShape() {
        String runs = "/api/external/v1/workflows/" + workflow + "/runs";
        for (String type : new String[]{"application/xml", "multipart/form-data; boundary=x",
                "application/json; charset=utf-16", "text/html"}) {
            var response = stack.http.send("POST", runs, "{\"input\":{}}", "Authorization", "Bearer " + org.apiToken(),
                    "Content-Type", type);
            assertThat(response.status()).as(type).isEqualTo(415);
            assertThat(response.json().get("code").asText()).isEqualTo("unsupported_media_type");
        }
        for (String type : new String[]{"application/json; charset=UTF-8", "application/merge-patch+json",
                "application/x-www-form-urlencoded"}) {
            var response = stack.http.send("POST", runs, "{\"input\":{}}", "Authorization", "Bearer " + org.apiToken(),
                    "Content-Type", type);
            assertThat(response.status()).as(type).isEqualTo(201);
        }
        var v1 = stack.http.send("POST", "/api/v1/workflows/" + workflow + "/run", "<run/>",
                "x-api-key", org.apiToken(), "Content-Type", "application/xml");
        assertThat(v1.status()).isEqualTo(415);
        assertThat(v1.json().get("error").get("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        var workspace = stack.http.send("POST", "/api/v1/workspaces/" + org.id() + "/workflows/" + workflow + "/trigger",
                "<run/>", "Authorization", "Bearer " + org.apiToken(), "Content-Type", "text/xml");
        assertThat(workspace.status()).isEqualTo(415);
        assertThat(workspace.json().get("detail").isTextual()).isTrue();
        var minimal = stack.http.send("POST", "/workflows/" + workflow + "/run", "<run/>",
                "X-API-KEY", org.apiToken(), "Content-Type", "application/xml");
        assertThat(minimal.status()).isEqualTo(415);
        assertThat(minimal.header("RateLimit-Limit")).as("a trigger answer, error or not").isNotNull();
    }

    @Test
    void aJsonBodyWithoutAnyContentTypeIsReadAsJson() {
        byte[] body = "{\"input\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8);
        var event = HttpApiEvents.request("POST", "/api/external/v1/workflows/" + workflow + "/runs",
                Map.of("host", List.of("api.kickoff.test"), "authorization", List.of("Bearer " + org.apiToken())),
                body, "203.0.113.7");
        assertThat(event.getHeaders()).doesNotContainKey("content-type");
        var response = stack.handler.handleRequest(event, new LocalLambdaContext("ApiFunction", 1024, 10));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(201);
        assertThat(response.getBody()).contains("\"input\":{\"a\":1}");
    }

    @Test
    void aNumberBeyond1e300Is400InEveryShape() {
        String body = "{\"input\": {\"x\": 1e400}, \"payload\": {\"x\": 1e400}, \"trigger_payload\": {\"x\": 1e-400}}";
        var v1 = stack.http.send("POST", "/api/v1/workflows/" + workflow + "/run", body, "x-api-key", org.apiToken());
        assertThat(v1.status()).isEqualTo(400);
        assertThat(v1.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");
        var minimal = stack.http.send("POST", "/workflows/" + workflow + "/run", body, "X-API-KEY", org.apiToken());
        assertThat(minimal.status()).isEqualTo(400);
        assertThat(minimal.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");
        var workspace = stack.http.post("/api/v1/workspaces/" + org.id() + "/workflows/" + workflow + "/trigger",
                org.apiToken(), body);
        assertThat(workspace.status()).isEqualTo(400);
        assertThat(workspace.json().get("detail").asText()).contains("out of range");
    }

    @Test
    void theWorkflowListRefusesLimitsOutside1To100LikeTheCaseList() {
        for (String limit : new String[]{"0", "101", "1000", "-1", "abc"}) {
            var workflows = stack.http.get("/api/manage/v1/workflows?limit=" + limit, org.manageToken());
            assertThat(workflows.status()).as(limit).isEqualTo(400);
            assertThat(workflows.json().get("error").asText()).isEqualTo("limit must be a number from 1 to 100");
            var cases = stack.http.get("/api/manage/v1/workflows/" + workflow + "/cases?status=Open&limit=" + limit,
                    org.manageToken());
            assertThat(cases.status()).as(limit).isEqualTo(400);
            assertThat(cases.json().get("error").asText()).isEqualTo(workflows.json().get("error").asText());
        }
        assertThat(stack.http.get("/api/manage/v1/workflows?limit=100", org.manageToken()).status()).isEqualTo(200);
    }

    @Test
    void publishRefusesUnknownKeysWithTheirPointers() {
        long draft = stack.createWorkflow(org, ApiStack.ORDER_WORKFLOW);
        var response = stack.http.post("/api/manage/v1/workflows/" + draft + "/publish", org.manageToken(),
                "{\"version\": 1, \"a/b\": true}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("error").asText()).isEqualTo("unsupported_body_key");
        assertThat(response.json().get("validation_errors").get(0).get("path").asText()).isEqualTo("/a~1b");
        assertThat(stack.http.get("/api/manage/v1/workflows/" + draft, org.manageToken()).json()
                .get("workflow").get("status").asText()).as("nothing published").isEqualTo("draft");
    }

    @Test
    void routingRefusalsSpeakKickoffNotMicronaut() {
        for (String[] r : new String[][]{{"PATCH", "/api/external/v1/workflows/1/runs"}, {"GET", "/nowhere"},
                {"DELETE", "/api/v1/runs/run_1"}, {"PUT", "/workflows/1/run"}}) {
            var response = stack.http.send(r[0], r[1], "{}", "Authorization", "Bearer " + org.apiToken());
            assertThat(response.status()).as(r[1]).isEqualTo(404);
            assertThat(response.body()).doesNotContainIgnoringCase("micronaut").doesNotContainIgnoringCase("jackson")
                    .doesNotContain("Exception").doesNotContain("io.");
            assertThat(response.header("RateLimit-Limit")).as("not an execute request").isNull();
        }
    }
}
