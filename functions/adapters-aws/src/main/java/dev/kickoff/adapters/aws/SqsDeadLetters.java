package dev.kickoff.adapters.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DeadLetters;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.util.ArrayList;
import java.util.List;

/** The runs queue's dead-letter queue, read without waiting (the sweeper drains it on its schedule). */
public final class SqsDeadLetters implements DeadLetters {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsDeadLetters(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public List<Letter> receive(int max) {
        List<Letter> out = new ArrayList<>();
        for (Message m : sqs.receiveMessage(ReceiveMessageRequest.builder().queueUrl(queueUrl)
                .maxNumberOfMessages(Math.max(1, Math.min(10, max))).waitTimeSeconds(0)
                .visibilityTimeout(60).build()).messages()) {
            out.add(new Letter(runId(m.body()), m.receiptHandle()));
        }
        return out;
    }

    @Override
    public void delete(Letter letter) {
        sqs.deleteMessage(DeleteMessageRequest.builder().queueUrl(queueUrl).receiptHandle(letter.handle()).build());
    }

    private static long runId(String body) {
        try {
            JsonNode id = Json.parse(body).get("run_id");
            return id != null && id.canConvertToLong() ? id.asLong() : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
