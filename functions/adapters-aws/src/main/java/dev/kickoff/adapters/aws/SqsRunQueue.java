package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.RunQueue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.time.Duration;

/** Run messages carry only IDs; the run itself is read from DynamoDB, the source of truth. */
public final class SqsRunQueue implements RunQueue {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsRunQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public static String body(long orgId, long runId) {
        return "{\"run_id\":" + runId + ",\"org_id\":" + orgId + "}";
    }

    @Override
    public void enqueue(long orgId, long runId) {
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(body(orgId, runId)).build());
    }

    @Override
    public void enqueue(long orgId, long runId, Duration delay) {
        // Rounded up: a message must not arrive before its run is due (it would only be put back).
        long seconds = (Math.max(0, delay.toMillis()) + 999) / 1000;
        int delaySeconds = (int) Math.min(MAX_DELAY.toSeconds(), seconds);
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(body(orgId, runId))
                .delaySeconds(delaySeconds).build());
    }
}
