package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.kickoff.core.webhook.WebhookEvent;
import dev.kickoff.core.webhook.WebhookEventType;
import dev.kickoff.emulators.testing.EventFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What run transitions mean for webhooks, read from a stream event fixture as Lambda delivers it. */
class StreamEventsTest {
    @Test
    void aRunOutOfSuspendedIsResumedAFailedRunSaysWhyAndAClaimIsNothing() {
        DynamodbEvent event = EventFixtures.dynamodb("events/run-resumed-and-failed.json");
        List<Optional<WebhookEvent>> derived = event.getRecords().stream()
                .map(r -> StreamEvents.derive(r, "https://api.kickoff.test")).toList();

        assertThat(derived.get(0)).hasValueSatisfying(e -> {
            assertThat(e.type()).isEqualTo(WebhookEventType.RUN_RESUMED);
            assertThat(e.data().get("workflow_run").get("status").asText()).isEqualTo("in_progress");
        });
        assertThat(derived.get(1)).hasValueSatisfying(e -> {
            assertThat(e.type()).isEqualTo(WebhookEventType.RUN_FAILED);
            assertThat(e.data().get("error").get("code").asText()).isEqualTo("cancelled");
            // workflow_run.error is the {code, message} object, as the runs API shows it.
            assertThat(e.data().get("workflow_run").get("error").get("message").asText()).isEqualTo("the run was cancelled");
            assertThat(e.data().get("workflow_run").get("error").get("code").asText()).isEqualTo("cancelled");
        });
        assertThat(derived.get(2)).as("pending to in_progress: not an event").isEmpty();
    }
}
