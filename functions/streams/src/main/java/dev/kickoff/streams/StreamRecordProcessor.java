package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.usage.Metering;
import dev.kickoff.core.webhook.EventFanout;
import dev.kickoff.core.webhook.WebhookEvent;
import dev.kickoff.lambda.StreamBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * One stream record: a run's finish is metered ({@link Metering}: priced and counted, exactly once), then what the
 * record means for webhooks ({@link StreamEvents}) is fanned out to the subscriptions that want it.
 * A record that cannot mean anything (not an event, or an item that cannot be read) is skipped with a log line; a
 * record whose fan-out fails is a failure, so the stream is retried from it (records after it are retried too,
 * which the derived event and delivery IDs make harmless).
 */
final class StreamRecordProcessor implements StreamBatch.RecordProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRecordProcessor.class);

    private final EventFanout fanout;
    private final String baseUrl;
    /** Prices and counts each run as it finishes; null: no metering (tests of the webhooks alone). */
    private final Metering metering;

    /** @param publicUrl where clients reach the API (template.yaml: the HTTP API's URL), for run URLs in payloads */
    StreamRecordProcessor(EventFanout fanout, String publicUrl) {
        this(fanout, publicUrl, null);
    }

    StreamRecordProcessor(EventFanout fanout, String publicUrl, Metering metering) {
        this.metering = metering;
        this.fanout = fanout;
        // Without it run URLs in payloads would be relative.
        this.baseUrl = publicUrl == null ? "" : publicUrl.replaceAll("/+$", "");
    }

    @Override
    public boolean process(DynamodbEvent.DynamodbStreamRecord record) {
        // Metering first, so that a run.completed or run.failed event carries the cost just priced. Exactly once per
        // finish however often this record comes (the marker's conditional write); a failure retries the stream.
        BigDecimal cost = null;
        if (metering != null) {
            Run finished;
            try {
                finished = StreamEvents.finished(record);
            } catch (RuntimeException e) {
                finished = null;  // unreadable: the webhook derivation below says so
            }
            if (finished != null) {
                try {
                    LogContext.put(LogContext.ORG_ID, finished.orgId());
                    cost = metering.meter(finished).cost();
                } catch (RuntimeException e) {
                    LOG.warn("metering of run {} failed; the stream retries from record {}: {}", finished.id(),
                            record.getDynamodb().getSequenceNumber(), e.toString());
                    return false;
                } finally {
                    LogContext.clear();
                }
            }
        }
        Optional<WebhookEvent> derived;
        try {
            derived = StreamEvents.derive(record, baseUrl, cost);
        } catch (RuntimeException e) {
            LOG.error("skipping stream record {}: its item cannot be read as an event: {}", record.getEventID(),
                    e.toString());
            return true;
        }
        if (derived.isEmpty()) {
            return true;
        }
        try {
            LogContext.put(LogContext.ORG_ID, derived.get().orgId());
            fanout.publish(derived.get());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("fan-out of {} failed; the stream retries from record {}: {}", derived.get().id(),
                    record.getDynamodb().getSequenceNumber(), e.toString());
            return false;
        } finally {
            LogContext.clear();
        }
    }
}
