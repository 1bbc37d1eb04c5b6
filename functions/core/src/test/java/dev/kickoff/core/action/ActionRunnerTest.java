package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.port.OutboundHttp;
import dev.kickoff.core.testing.InMemoryConnectionStore;
import dev.kickoff.core.testing.PlainSecretBox;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The path a step type will wrap, with the ports faked: which connection is used, and that no secret reaches what
 * a run records (input, output, error), even when the provider echoes it back.
 */
class ActionRunnerTest {
    static final String TOKEN = "crm_live_S3cret_Token";
    final List<OutboundHttp.Request> sent = new ArrayList<>();
    /** A provider that echoes the request's headers in its answer, as some do (and debugging endpoints all do). */
    final OutboundHttp echo = request -> {
        sent.add(request);
        String body = Json.write(Json.mapper().valueToTree(Map.of("seen", request.headers())));
        int status = request.url().contains("/fail") ? 400 : 200;
        return new OutboundHttp.Response(status, Map.of("content-type", List.of("application/json")),
                (status == 400 ? "{\"error\": \"bad token " + TOKEN + "\"}" : body).getBytes(StandardCharsets.UTF_8), 3);
    };
    final MailSender noMail = (server, message) -> new MailSender.Failed(true, "connect", "no mail in this test");
    final ConnectionService connections = new ConnectionService(new InMemoryConnectionStore(), new PlainSecretBox(),
            Clock.systemUTC(), false);
    final ActionRunner runner = new ActionRunner(Actions.standard(echo, noMail, Clock.systemUTC()), connections);

    Connection crm(long org) {
        return connections.create(org, Json.parse("""
                {"provider": "http", "name": "CRM", "config": {"baseUrl": "https://crm.example.com/api",
                 "headers": {"Authorization": "Bearer {{secrets.token}}"}}, "secrets": {"token": "%s"}}""".formatted(TOKEN)));
    }

    ActionResult run(String action, String config, long org, String runConnection) {
        return runner.run(action, Json.parse(config), org, runConnection, ActionRequest.idempotencyKey(55, "call"),
                Duration.ofSeconds(20), false);
    }

    @Test
    void noSecretReachesTheRecordedInputTheOutputOrTheError() {
        crm(1);
        ActionResult ok = run("http.request", "{\"url\": \"/customers\"}", 1, null);
        assertThat(sent.getLast().url()).isEqualTo("https://crm.example.com/api/customers");
        assertThat(sent.getLast().headers()).containsEntry("Authorization", "Bearer " + TOKEN)
                .containsEntry("Idempotency-Key", "55-call");
        JsonNode output = ((ActionResult.Succeeded) ok).output();
        assertThat(ok.recordedInput().at("/headers/Authorization").asText()).isEqualTo("***");
        assertThat(output.at("/body/seen/Authorization").asText()).as("echoed back, swept").isEqualTo("***");
        assertThat(Json.write(ok.recordedInput()) + Json.write(output)).doesNotContain(TOKEN);

        ActionResult.Failed failed = (ActionResult.Failed) run("http.request", "{\"url\": \"/fail\"}", 1, null);
        assertThat(failed.message()).contains("bad token ***").doesNotContain(TOKEN);
    }

    @Test
    void aConnectionIsUsedWhenNeededOrNamedAndItsAbsenceFailsTheStepClearly() {
        ActionResult.Failed none = (ActionResult.Failed) run("stripe.createInvoice",
                "{\"customerId\": \"cus_1\", \"amount\": 10}", 2, null);
        assertThat(none.retryable()).isFalse();
        assertThat(none.code()).isEqualTo("connection_unavailable");
        assertThat(none.message()).contains("needs a stripe connection").contains("no default");

        ActionResult.Failed missing = (ActionResult.Failed) run("email", "{\"to\": \"a@example.com\", \"subject\": \"s\","
                + " \"body\": {\"text\": \"t\"}, \"connection\": \"conn_000000000000000000000000\"}", 2, null);
        assertThat(missing.message()).contains("conn_000000000000000000000000").contains("not found");

        // An absolute URL needs no connection, and gets none: no credentials go to a URL nobody vouched for.
        Connection c = crm(2);
        ActionResult plain = run("http", "{\"url\": \"https://elsewhere.example.org/x\"}", 2, null);
        assertThat(plain).isInstanceOf(ActionResult.Succeeded.class);
        assertThat(sent.getLast().headers()).doesNotContainKey("Authorization");
        // Named by the run (seed 003's connectionId), it applies, and the URL must then stay under its base.
        ActionResult.Failed outside = (ActionResult.Failed) run("http", "{\"url\": \"https://elsewhere.example.org/x\"}", 2, c.id());
        assertThat(outside.message()).contains("outside connection");

        ActionResult.Failed unknown = (ActionResult.Failed) run("slack.post", "{}", 2, null);
        assertThat(unknown.code()).isEqualTo("unknown_action");
        assertThat(unknown.message()).contains("stripe.createInvoice");
    }
}
