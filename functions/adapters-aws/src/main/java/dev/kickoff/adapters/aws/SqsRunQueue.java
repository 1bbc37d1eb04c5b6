package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.RunQueue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

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
}
