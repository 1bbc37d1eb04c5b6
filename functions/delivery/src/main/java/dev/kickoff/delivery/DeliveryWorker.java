package dev.kickoff.delivery;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.webhook.DeliveryProcessor;
import dev.kickoff.core.webhook.WebhookIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the deliveries of one SQS batch concurrently, each on its own virtual thread with its own request
 * deadline: a hanging endpoint costs its own delivery 10 seconds and nobody else anything. A message is kept
 * (reported as a batch item failure) only when its attempt could not be settled.
 */
public final class DeliveryWorker {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);

    private final DeliveryProcessor processor;

    public DeliveryWorker(DeliveryProcessor processor) {
        this.processor = processor;
    }

    public SQSBatchResponse handle(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (SQSEvent.SQSMessage record : records) {
                results.add(pool.submit(() -> process(record)));
            }
            for (int i = 0; i < records.size(); i++) {
                boolean done;
                try {
                    done = results.get(i).get();
                } catch (Exception e) {
                    LOG.warn("delivery message {} failed: {}", records.get(i).getMessageId(), e.toString());
                    done = false;
                }
                if (!done) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
                }
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** @return true when the message can be deleted */
    boolean process(SQSEvent.SQSMessage message) {
        String deliveryId;
        int attempt;
        try {
            JsonNode body = Json.parse(message.getBody());
            deliveryId = body.path("delivery_id").asText("");
            attempt = body.path("attempt").asInt(0);
        } catch (RuntimeException e) {
            deliveryId = "";
            attempt = 0;
        }
        if (!WebhookIds.looksLikeDelivery(deliveryId) || attempt < 1) {
            LOG.error("dropping a message that names no delivery (message {})", message.getMessageId());
            return true;
        }
        return processor.process(deliveryId, attempt) == DeliveryProcessor.Outcome.DONE;
    }
}
