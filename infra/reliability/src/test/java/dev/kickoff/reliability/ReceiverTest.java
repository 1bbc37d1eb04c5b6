package dev.kickoff.reliability;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The receivers verify as customers are told to, and fail as the phase says they do. */
class ReceiverTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    static int post(HttpClient client, Receiver r, String id, String body, String secret) throws Exception {
        long ts = System.currentTimeMillis() / 1000;
        String signature = new Webhook(secret).sign(id, ts, body);
        return client.send(HttpRequest.newBuilder(URI.create(r.url())).header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(ts)).header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aSignedEventIsValidAForgedOneIsNot() throws Exception {
        try (Receiver r = Receiver.ok("t"); HttpClient client = HttpClient.newHttpClient()) {
            r.secret(SECRET);
            String body = "{\"id\": \"evt_1\", \"type\": \"run.completed\", \"data\": {\"workflow_run\": {\"id\": 5}}}";
            assertThat(post(client, r, "msg_1", body, SECRET)).isEqualTo(204);
            assertThat(post(client, r, "msg_2", body, "whsec_" + "A".repeat(32))).isEqualTo(204);
            assertThat(r.receptions()).hasSize(2);
            assertThat(r.receptions().get(0).validSignature()).isTrue();
            assertThat(r.receptions().get(0).eventId()).isEqualTo("evt_1");
            assertThat(r.receptions().get(1).validSignature()).isFalse();
        }
    }

    @Test
    void aFlakyReceiverFailsAboutHalfAndAlwaysTakesTheGuaranteedAttempt() throws Exception {
        Receiver r = new Receiver("f", Receiver.Mode.FLAKY, 11, Duration.ZERO, 3);
        try (r; HttpClient client = HttpClient.newHttpClient()) {
            r.secret(SECRET);
            int failures = 0;
            for (int d = 0; d < 40; d++) {
                for (int attempt = 1; attempt <= 3; attempt++) {
                    int status = post(client, r, "msg_" + d, "{}", SECRET);
                    if (status == 204) {
                        break;
                    }
                    failures++;
                    assertThat(attempt).isLessThan(3);
                    assertThat(status).isBetween(500, 503);
                }
            }
            assertThat(failures).isBetween(20, 60);
            try (Receiver replay = new Receiver("g", Receiver.Mode.FLAKY, 11, Duration.ZERO, 3)) {
                assertThat(replay.fails("msg_0", 1)).as("the same seed fails the same attempts").isEqualTo(r.fails("msg_0", 1));
            }
        }
    }
}
