package dev.kickoff.api;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 15, defect 2: a header value with a control character was a 500 with an empty body on every endpoint. */
class HeaderValuesTest {
    static ApiStack stack;
    static ApiStack.Org org;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("header-values");
        org = stack.newOrg();
    }

    @Test
    void aJunkHeaderIsA400InTheCallersShapeBeforeAuthentication() {
        var canonical = stack.http.send("POST", "/api/external/v1/workflows/1/runs", "{}",
                "Authorization", "Bearer " + org.apiToken(), "X-Junk", "\u007f");
        assertThat(canonical.status()).as(canonical.toString()).isEqualTo(400);
        assertThat(canonical.json().get("code").asText()).isEqualTo("invalid_request");
        assertThat(canonical.json().get("error").asText()).containsIgnoringCase("x-junk");

        var v1 = stack.http.send("POST", "/api/v1/workflows/1/run", "{}", "Authorization", "Bearer \u007f");
        assertThat(v1.status()).as(v1.toString()).isEqualTo(400);
        assertThat(v1.json().get("success").asBoolean()).isFalse();
        assertThat(v1.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");

        var workspace = stack.http.send("GET", "/api/v1/workspaces/x/workflows/y/runs/z", (byte[]) null,
                "x-api-key", "a\u0001b");
        assertThat(workspace.status()).isEqualTo(400);
        assertThat(workspace.json().get("detail").asText()).contains("control character");

        var minimal = stack.http.send("GET", "/workflows/1/executions/exec_1", (byte[]) null, "X-Junk", "\u007f");
        assertThat(minimal.status()).isEqualTo(400);
        assertThat(minimal.json().get("error").get("code").asText()).isEqualTo("VALIDATION_ERROR");

        var unknown = stack.http.send("GET", "/nowhere", (byte[]) null, "X-Junk", "\u007f");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.header("Content-Type")).contains("application/json");
    }

    @Test
    void tabsAndNonAsciiValuesStillPass() {
        var ok = stack.http.send("GET", "/api/manage/v1/tokens", (byte[]) null,
                "Authorization", "Bearer " + org.manageToken(), "X-Note", "a\tb é");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    }
}
