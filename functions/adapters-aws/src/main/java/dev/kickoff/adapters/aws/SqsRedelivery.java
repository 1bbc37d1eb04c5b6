package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.Redelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;

import java.time.Duration;

/**
 * A kept message comes back later by changing its visibility timeout (sqs:ChangeMessageVisibility, which the SQS
 * event source's own permissions do not include: template.yaml grants it to the worker). Each return counts as a
 * receive towards the queue's redrive threshold.
 */
public final class SqsRedelivery implements Redelivery {
    private static final Logger LOG = LoggerFactory.getLogger(SqsRedelivery.class);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsRedelivery(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void after(String handle, Duration delay) {
        long seconds = Math.max(0, Math.min(MAX.toSeconds(), (delay.toMillis() + 999) / 1000));
        try {
            sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder().queueUrl(queueUrl)
                    .receiptHandle(handle).visibilityTimeout((int) seconds).build());
        } catch (RuntimeException e) {
            // the queue's own visibility timeout applies instead; loud, because retries then wait minutes
            LOG.warn("could not change the visibility of a message: {}", e.toString());
        }
    }
}
