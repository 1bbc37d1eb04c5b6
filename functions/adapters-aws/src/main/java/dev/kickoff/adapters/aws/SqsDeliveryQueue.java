package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.DeliveryQueue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.time.Duration;

/** Delivery messages carry only the delivery ID and the attempt they ask for; the state is in DynamoDB. */
public final class SqsDeliveryQueue implements DeliveryQueue {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsDeliveryQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public static String body(String deliveryId, int attempt) {
        return "{\"delivery_id\":\"" + deliveryId + "\",\"attempt\":" + attempt + "}";
    }

    @Override
    public void enqueue(String deliveryId, int attempt, Duration delay) {
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new IllegalStateException("KICKOFF_WEBHOOK_QUEUE_URL is not set");
        }
        // Rounded up: a message must not arrive before its attempt is due (it would only be delayed again).
        long seconds = (delay.toMillis() + 999) / 1000;
        int delaySeconds = (int) Math.min(MAX_DELAY.toSeconds(), Math.max(0, seconds));
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(body(deliveryId, attempt))
                .delaySeconds(delaySeconds).build());
    }
}
