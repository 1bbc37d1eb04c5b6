package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.ScheduleFires;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * The fires queue: one message per fire, {@code {"org_id", "workflow_id", "schedule_id", "fire_time"}}, held back
 * (DelaySeconds) to its time rounded up to the second, sent ten to a request. The schedule itself is read from the
 * table when the message arrives: the message only says which fire.
 */
public final class SqsScheduleFires implements ScheduleFires {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsScheduleFires(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public static String body(Pending fire) {
        return "{\"org_id\":" + fire.orgId() + ",\"workflow_id\":" + fire.workflowId() + ",\"schedule_id\":"
                + fire.scheduleId() + ",\"fire_time\":\"" + fire.fireTime() + "\"}";
    }

    @Override
    public void send(List<Pending> fires) {
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new IllegalStateException("no fires queue: KICKOFF_SCHEDULE_FIRES_QUEUE_URL is not set");
        }
        List<String> failed = new ArrayList<>();
        for (int from = 0; from < fires.size(); from += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            List<Pending> batch = fires.subList(from, Math.min(fires.size(), from + 10));
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                // Rounded up: a fire must not arrive before its time (it would only be put back).
                long seconds = (Math.max(0, p.delay().toMillis()) + 999) / 1000;
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(body(p))
                        .delaySeconds((int) Math.min(MAX_DELAY.toSeconds(), seconds)).build());
            }
            SendMessageBatchResponse response = sqs.sendMessageBatch(SendMessageBatchRequest.builder()
                    .queueUrl(queueUrl).entries(entries).build());
            response.failed().forEach(f -> failed.add(f.id() + ": " + f.message()));
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.size() + " fire(s) were not queued: " + failed.getFirst());
        }
    }
}
