package dev.kickoff.delivery;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.webhook.DeliveryProcessor;
import dev.kickoff.core.webhook.WebhookIds;
import dev.kickoff.lambda.SqsBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * One delivery message: the attempt it asks for, made by {@link DeliveryProcessor} with its own request deadline (a
 * hanging endpoint costs its own delivery 10 seconds and nobody else anything: the batch's messages run concurrently,
 * see {@link SqsBatch}). A message is kept only when its attempt could not be settled.
 */
final class DeliveryMessageProcessor implements SqsBatch.MessageProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryMessageProcessor.class);

    private final DeliveryProcessor processor;

    DeliveryMessageProcessor(DeliveryProcessor processor) {
        this.processor = processor;
    }

    /** @return true when the message can be deleted */
    @Override
    public boolean process(SQSEvent.SQSMessage message, Instant deadline) {
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
