package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.emulators.CloudFormationTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 001's curl lines against the whole local stack over real HTTP: the API function and the worker together. */
class CasesLocalTest {
    @TempDir
    Path dataDir;

    static final String REFUNDS = """
            {"name": "Refunds", "kind": "direct_case", "statuses": ["Awaiting customer"],
             "attributeSchema": {"type": "object", "required": ["amount"],
               "properties": {"amount": {"type": "number"}, "reason": {"type": "string"}}},
             "steps": [
               {"id": "ask", "type": "set_case", "config": {"status": "Awaiting customer"}},
               {"id": "close", "type": "set_case", "config": {"status": "Closed",
                 "attributes": {"resolution": "refunded {{case.attributes.amount}} for {{case.subject}}"}}}]}""";

    @Test
    void seed001CurlLinesWorkAgainstTheLocalStack() throws Exception {
        try (KickoffLocal stack = KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 2))) {
            LocalHttp http = new LocalHttp(stack.baseUrl());
            var created = http.send("POST", "/api/manage/v1/workflows", stack.manageToken(), REFUNDS,
                    "Content-Type", "application/json");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            long workflow = created.json().get("workflow").get("id").asLong();
            assertThat(http.send("POST", "/api/manage/v1/workflows/" + workflow + "/publish", stack.manageToken(), null)
                    .status()).isEqualTo(200);
            String cases = "/api/external/v1/workflows/" + workflow + "/cases";

            // curl -X POST …/workflows/{WORKFLOW_ID}/cases -H "Authorization: Bearer …" -H "Content-Type: application/json" -d '…'
            var response = http.send("POST", cases, stack.apiToken(),
                    "{\"subject\": \"Refund request\", \"attributes\": {\"amount\": 42, \"reason\": \"late delivery\"}}",
                    "Content-Type", "application/json");
            assertThat(response.status()).as(response.body()).isEqualTo(201);
            JsonNode kase = response.json().get("case");
            assertThat(kase.get("status").asText()).isEqualTo("Open");
            assertThat(kase.get("attributes").toString()).isEqualTo("{\"amount\":42,\"reason\":\"late delivery\"}");
            long id = kase.get("id").asLong();
            assertThat(response.raw().headers().firstValue("Location")).hasValue(stack.baseUrl() + cases + "/" + id);

            // curl …/workflows/{WORKFLOW_ID}/cases/{CASE_ID}, polled as the seed suggests, until the workflow closes it
            JsonNode closed = awaitStatus(http, cases + "/" + id, stack.apiToken(), "Closed");
            assertThat(closed.get("attributes").toString()).isEqualTo(
                    "{\"amount\":42,\"reason\":\"late delivery\",\"resolution\":\"refunded 42 for Refund request\"}");

            var listed = http.send("GET", "/api/manage/v1/workflows/" + workflow + "/cases?status=Closed",
                    stack.manageToken(), null).json();
            assertThat(listed.get("cases").get(0).get("id").asLong()).isEqualTo(id);

            // The seed's validation error, exactly.
            var invalid = http.send("POST", cases, stack.apiToken(), "{\"attributes\": {\"amount\": \"42\"}}",
                    "Content-Type", "application/json");
            assertThat(invalid.status()).isEqualTo(422);
            assertThat(invalid.json().get("error").asText()).isEqualTo("attributes_validation_failed");
            assertThat(invalid.json().get("validation_errors").toString())
                    .isEqualTo("[{\"path\":\"/amount\",\"error\":\"value at `/amount` is not a number\"}]");

            var defaulted = http.send("POST", cases, stack.apiToken(), "{\"attributes\": {\"amount\": 1}}").json();
            assertThat(defaulted.get("case").get("subject").asText()).matches("API - \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
            assertThat(http.send("POST", cases, stack.apiToken(), "{\"attributes\": {\"amount\": 1}, \"status\": \"Closed\"}")
                    .status()).isEqualTo(422);
            assertThat(http.send("POST", cases, null, "{}").status()).isEqualTo(401);
            assertThat(http.send("POST", "/api/external/v1/workflows/1/cases", stack.apiToken(), "{}").status()).isEqualTo(404);
        }
    }

    static JsonNode awaitStatus(LocalHttp http, String path, String token, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode kase = null;
        while (System.nanoTime() < deadline) {
            kase = http.send("GET", path, token, null).json().get("case");
            if (kase.get("status").asText().equals(status)) {
                return kase;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("case never reached " + status + ": " + kase);
    }
}
