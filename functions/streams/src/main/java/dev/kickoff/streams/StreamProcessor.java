package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kickoff.core.webhook.EventFanout;
import dev.kickoff.core.webhook.WebhookEvent;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Handles one stream batch in order. A record that cannot mean anything (not an event, or an item that cannot
 * be read) is skipped with a log line; a record whose fan-out fails is reported as the batch's first failure,
 * so Lambda checkpoints everything before it and retries from it (records after it are retried too, which the
 * derived IDs make harmless).
 */
public final class StreamProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessor.class);

    private final EventFanout fanout;
    private final String baseUrl;

    public StreamProcessor(CompositionRoot runtime) {
        this.fanout = runtime.fanout();
        // template.yaml sets it (the HTTP API's URL); without it run URLs in payloads would be relative.
        String url = runtime.settings().publicUrl();
        this.baseUrl = url == null ? "" : url.replaceAll("/+$", "");
    }

    public StreamsEventResponse handle(DynamodbEvent event) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            Optional<WebhookEvent> derived;
            try {
                derived = StreamEvents.derive(record, baseUrl);
            } catch (RuntimeException e) {
                LOG.error("skipping stream record {}: its item cannot be read as an event: {}", record.getEventID(),
                        e.toString());
                continue;
            }
            if (derived.isEmpty()) {
                continue;
            }
            try {
                LogContext.put(LogContext.ORG_ID, derived.get().orgId());
                fanout.publish(derived.get());
            } catch (RuntimeException e) {
                String sequence = record.getDynamodb().getSequenceNumber();
                LOG.warn("fan-out of {} failed; the stream retries from record {}: {}", derived.get().id(), sequence,
                        e.toString());
                List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
                failures.add(new StreamsEventResponse.BatchItemFailure(sequence));
                return new StreamsEventResponse(failures);
            } finally {
                LogContext.clear();
            }
        }
        return new StreamsEventResponse(new ArrayList<>());
    }
}
