package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A customer's EventBridge rule starting runs through an API destination (README, "EventBridge rules you own";
 * docs/examples/eventbridge-rule.yaml): the exact request EventBridge sends, the connection's {@code x-api-key} header
 * and the body the input transformer makes, delivered twice (EventBridge retries, and delivers at least once) starts
 * one run.
 */
class EventBridgeDestinationApiTest {
    static ApiStack stack;
    static ApiStack.Org org;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("eventbridge-destination");
        org = stack.newOrg();
    }

    /** What an API destination sends: its fixed headers, the connection's API key, the transformed event. */
    static ApiStackResponse deliver(long workflow, String apiKey, String eventId, String detail) {
        String body = "{\"input\": " + detail + ", \"idempotencyKey\": \"" + eventId + "\"}";
        var response = stack.http.send("POST", "/api/v1/workflows/wf_" + workflow + "/run", body,
                "User-Agent", "Amazon/EventBridge/ApiDestinations",
                "Content-Type", "application/json; charset=utf-8",
                "Range", "bytes=0-1048575",
                "Accept-Encoding", "gzip,deflate",
                "x-api-key", apiKey);
        return new ApiStackResponse(response.status(), response.json());
    }

    record ApiStackResponse(int status, JsonNode json) {
    }

    @Test
    void anEventDeliveredTwiceStartsOneRun() {
        long wf = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        stack.drainRunsQueue();
        String eventId = "6a7e8feb-b491-4cf7-a9f1-bf3703467718";
        String detail = "{\"items\": [{\"quantity\": 2, \"price\": 1999}]}";

        var first = deliver(wf, org.apiToken(), eventId, detail);
        assertThat(first.status()).as(String.valueOf(first.json())).isEqualTo(201);
        var again = deliver(wf, org.apiToken(), eventId, detail);
        assertThat(again.status()).as(String.valueOf(again.json())).isEqualTo(201);

        String runId = first.json().get("data").get("runId").asText();
        assertThat(again.json().get("data").get("runId").asText()).isEqualTo(runId);
        assertThat(stack.drainRunsQueue()).as("one run queued").hasSize(1);

        // Another event is another run.
        var other = deliver(wf, org.apiToken(), "0b5c1f7e-0000-4000-8000-000000000002", detail);
        assertThat(other.status()).isEqualTo(201);
        assertThat(other.json().get("data").get("runId").asText()).isNotEqualTo(runId);
    }

    @Test
    void aWrongApiKeyIsA401InSeed003sShape() {
        long wf = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        var refused = deliver(wf, "api_not-a-token", "6a7e8feb-b491-4cf7-a9f1-bf3703467719", "{}");
        // EventBridge retries a 401 (for up to a day): the dead-letter queue gets the event once retries run out.
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("error").get("code").asText()).isEqualTo("UNAUTHORIZED");
    }
}
