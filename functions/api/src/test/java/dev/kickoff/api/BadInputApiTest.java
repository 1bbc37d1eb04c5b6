package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.kickoff.api.workspace.WorkspaceIds;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.emulators.HttpApiEvents;
import dev.kickoff.emulators.LocalLambdaContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies that are not JSON Kickoff can keep, sent byte for byte through the deployed handler to every endpoint that
 * takes a body, as API Gateway delivers them: base64-encoded ({@code isBase64Encoded}, how a body that is not
 * UTF-8 text always arrives) and, where the bytes are text, as a plain body too. Each must be refused as bad input
 * in the endpoint's own error shape, never a 500, and nothing may be created.
 */
class BadInputApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiHandler handler;
    static long workflow;
    static long caseWorkflow;

    static final String CASE_WORKFLOW = """
            {"name": "Refunds", "kind": "direct_case", "steps": []}""";

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("bad-input");
        org = stack.newOrg();
        workflow = stack.publishedWorkflow(org, SeedWorkflows.OPEN);
        caseWorkflow = stack.publishedWorkflow(org, CASE_WORKFLOW);
        handler = new ApiHandler(stack.environment);
        stack.drainRunsQueue();
    }

    /** An endpoint that reads a JSON body; {@code wrap} puts the bad value where that endpoint expects data. */
    record Endpoint(String method, String path, boolean manage, String prefix, String suffix) {
        byte[] body(byte[] value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(value);
            out.writeBytes(suffix.getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }

        String token() {
            return manage ? org.manageToken() : org.apiToken();
        }
    }

    /** The ten endpoints that take a body. */
    static List<Endpoint> endpoints() {
        String workspace = WorkspaceIds.encode(Kind.WORKSPACE, org.id());
        String wf = WorkspaceIds.encode(Kind.WORKFLOW, workflow);
        return List.of(
                new Endpoint("POST", "/api/external/v1/workflows/" + workflow + "/runs", false, "{\"input\":{\"a\":", "}}"),
                new Endpoint("POST", "/api/external/v1/workflows/" + caseWorkflow + "/cases", false,
                        "{\"subject\":\"s\",\"attributes\":{\"a\":", "}}"),
                new Endpoint("POST", "/api/v1/workflows/wf_" + workflow + "/run", false, "{\"input\":{\"a\":", "}}"),
                new Endpoint("POST", "/workflows/" + workflow + "/run", false, "{\"payload\":{\"a\":", "}}"),
                new Endpoint("POST", "/api/v1/workspaces/" + workspace + "/workflows/" + wf + "/trigger", false,
                        "{\"trigger_payload\":{\"a\":", "}}"),
                new Endpoint("POST", "/api/manage/v1/tokens", true, "{\"scope\":\"api\",\"name\":", "}"),
                new Endpoint("POST", "/api/manage/v1/workflows", true, "{\"name\":\"n\",\"description\":", "}"),
                new Endpoint("PUT", "/api/manage/v1/workflows/" + workflow, true, "{\"name\":\"n\",\"description\":", "}"),
                new Endpoint("POST", "/api/manage/v1/workflows/" + workflow + "/publish", true, "{\"version\":", "}"),
                new Endpoint("POST", "/api/manage/v1/webhooks", true,
                        "{\"events\":[\"run.completed\"],\"url\":", "}"));
    }

    record Answer(int status, String body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    static Answer send(Endpoint endpoint, byte[] body, boolean base64) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of("api.kickoff.test"));
        headers.put("content-type", List.of("application/json"));
        headers.put("content-length", List.of(Integer.toString(body.length)));
        headers.put("authorization", List.of("Bearer " + endpoint.token()));
        APIGatewayV2HTTPEvent event = HttpApiEvents.request(endpoint.method(), endpoint.path(), headers, body, "203.0.113.7");
        if (base64) {
            event.setBody(Base64.getEncoder().encodeToString(body));
            event.setIsBase64Encoded(true);
        } else {
            assertThat(event.getIsBase64Encoded()).as("these bytes are text").isFalse();
        }
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new LocalLambdaContext("ApiFunction", 1024, 10));
        String text = response.getBody();
        if (text != null && response.getIsBase64Encoded()) {
            text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        }
        return new Answer(response.getStatusCode(), text);
    }

    /** Every refusal is a 4xx the endpoint's shape renders as bad input (the workspace shape, FastAPI's, uses 422). */
    static void assertRefused(Endpoint endpoint, Answer answer, String mustNotEcho) {
        assertThat(answer.status()).as(endpoint.path() + " " + answer).isIn(400, 422);
        assertThat(answer.body()).as(endpoint.path()).doesNotContainIgnoringCase("internal error")
                .doesNotContain("`java.", "StreamReadConstraints", "NumberFormatException", "BigDecimal", "com.fasterxml");
        if (mustNotEcho != null) {
            assertThat(answer.body()).as(endpoint.path()).doesNotContain(mustNotEcho);
        }
    }

    /** Were a 500 ("internal error; the request may be retried") with a stack trace holding the value in the log. */
    @Test
    void numbersWhoseExponentOverflowsAreBadInputOnEveryEndpoint() {
        List<String> failures = new ArrayList<>();
        for (String number : new String[]{"1e-2147483648", "1e99999999999", "0.1e-2147483648"}) {
            for (Endpoint endpoint : endpoints()) {
                for (boolean base64 : new boolean[]{true, false}) {
                    Answer answer = send(endpoint, endpoint.body(number.getBytes(StandardCharsets.US_ASCII)), base64);
                    if (answer.status() != 400 && answer.status() != 422) {
                        failures.add(endpoint.method() + " " + endpoint.path() + " " + number + ": " + answer);
                    }
                    assertRefused(endpoint, answer, number);
                }
            }
        }
        assertThat(failures).isEmpty();
        // The runs endpoint, in full: the canonical shape's invalid-request reason with the value's pointer.
        Endpoint runs = endpoints().get(0);
        Answer answer = send(runs, runs.body("1e-2147483648".getBytes(StandardCharsets.US_ASCII)), true);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("invalid_request").contains("/input/a").contains("out of range");
        assertThat(stack.drainRunsQueue()).isEmpty();
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Were decoded leniently: C0 AF became '/', so "..\xc0\xaf" was stored as "../"; surrogates became '?'. */
    @Test
    void invalidUtf8AndLoneSurrogatesAreBadInputOnEveryEndpoint() {
        byte[][] values = {
                bytes('"', '.', '.', 0xc0, 0xaf, '"'),                 // overlong '/'
                bytes('"', 0xed, 0xa0, 0x80, '"'),                     // CESU-8 surrogate
                bytes('"', 0xff, '"'),                                 // never valid (was already refused)
                "\"..\\ud800\"".getBytes(StandardCharsets.US_ASCII),   // escaped lone surrogate
        };
        for (byte[] value : values) {
            for (Endpoint endpoint : endpoints()) {
                Answer answer = send(endpoint, endpoint.body(value), true);
                assertRefused(endpoint, answer, null);
                assertThat(answer.body()).as(endpoint.path() + " " + answer).containsIgnoringCase("json");
            }
        }
        // A key, not a value.
        Endpoint runs = endpoints().get(0);
        for (byte[] key : new byte[][]{bytes('{', '"', 0xc0, 0xaf, '"', ':', '1', '}'),
                "{\"\\udc00\":1}".getBytes(StandardCharsets.US_ASCII)}) {
            Answer answer = send(runs, runs.body(key), true);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body()).contains("malformed_json");
        }
        assertThat(stack.drainRunsQueue()).as("no run was created").isEmpty();

        // Valid UTF-8 beyond ASCII, and a surrogate pair escaped in JSON, are stored as sent.
        Answer created = send(runs, runs.body("\"../\u00e9\\ud83d\\ude00\"".getBytes(StandardCharsets.UTF_8)), true);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.body()).contains("../\u00e9\uD83D\uDE00");
        assertThat(stack.drainRunsQueue()).hasSize(1);
    }
}
