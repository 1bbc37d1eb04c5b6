package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Lambda's SQS event source mapping does, on ElasticMQ: receives batches of up to {@code BatchSize},
 * invokes the handler with an {@link SQSEvent}, deletes what succeeded and leaves the rest to reappear after
 * the queue's visibility timeout (and, past {@code maxReceiveCount}, to be redriven to the dead-letter queue).
 * With {@code ReportBatchItemFailures}, only the reported messages are kept; a handler that throws, or that
 * reports an identifier not in the batch, fails the whole batch.
 */
public final class SqsEventSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqsEventSource.class);

    private final SqsClient sqs;
    private final StackResources.Queue queue;
    private final EventSource.Sqs source;
    private final FunctionSpec function;
    private final RequestHandler<SQSEvent, ?> handler;
    private final AtomicBoolean running = new AtomicBoolean();
    private ExecutorService pollers;

    public SqsEventSource(SqsClient sqs, StackResources resources, FunctionSpec function, EventSource.Sqs source,
                          RequestHandler<SQSEvent, ?> handler) {
        this.sqs = sqs;
        this.queue = resources.queue(source.queue());
        this.source = source;
        this.function = function;
        this.handler = handler;
    }

    /** Starts {@code concurrency} pollers, each invoking the handler one batch at a time, like Lambda's. */
    public SqsEventSource start(int concurrency) {
        running.set(true);
        pollers = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().daemon()
                .name(function.logicalId() + "-" + source.name() + "-", 0).factory());
        for (int i = 0; i < concurrency; i++) {
            pollers.submit(() -> {
                while (running.get()) {
                    try {
                        pollOnce(1);
                    } catch (RuntimeException e) {
                        if (running.get()) {
                            LOG.warn("SQS poll of {} failed: {}", queue.name(), e.toString());
                            sleep(500);
                        }
                    }
                }
            });
        }
        return this;
    }

    /**
     * Receives one batch (waiting up to {@code waitSeconds}) and invokes the handler with it.
     *
     * @return how many messages the batch held
     */
    public int pollOnce(int waitSeconds) {
        List<Message> messages = sqs.receiveMessage(ReceiveMessageRequest.builder().queueUrl(queue.url())
                .maxNumberOfMessages(Math.min(10, source.batchSize()))
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")
                .build()).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        invoke(messages);
        return messages.size();
    }

    /** Polls until a receive comes back empty; returns how many messages were handled. */
    public int drain() {
        int total = 0;
        int n;
        while ((n = pollOnce(0)) > 0) {
            total += n;
        }
        return total;
    }

    private void invoke(List<Message> messages) {
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setMd5OfBody(m.md5OfBody());
            Map<String, String> attributes = new HashMap<>();
            m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
            r.setAttributes(attributes);
            Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
            m.messageAttributes().forEach((k, v) -> {
                SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
                a.setDataType(v.dataType());
                a.setStringValue(v.stringValue());
                messageAttributes.put(k, a);
            });
            r.setMessageAttributes(messageAttributes);
            r.setEventSource("aws:sqs");
            r.setEventSourceArn(queue.arn());
            r.setAwsRegion(LocalSqs.REGION);
            records.add(r);
        }
        event.setRecords(records);

        Set<String> failed = new HashSet<>();
        try {
            Object response = handler.handleRequest(event, new LocalLambdaContext(function));
            if (source.reportBatchItemFailures() && response instanceof SQSBatchResponse batch
                    && batch.getBatchItemFailures() != null) {
                Set<String> ids = new HashSet<>();
                messages.forEach(m -> ids.add(m.messageId()));
                for (SQSBatchResponse.BatchItemFailure f : batch.getBatchItemFailures()) {
                    if (f.getItemIdentifier() == null || !ids.contains(f.getItemIdentifier())) {
                        failed.addAll(ids);  // Lambda treats a malformed response as a failed batch
                        break;
                    }
                    failed.add(f.getItemIdentifier());
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("{} failed a batch of {}: {}", function.logicalId(), messages.size(), e.toString());
            messages.forEach(m -> failed.add(m.messageId()));
        }

        List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                deletes.add(DeleteMessageBatchRequestEntry.builder().id(m.messageId())
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        if (!deletes.isEmpty()) {
            sqs.deleteMessageBatch(DeleteMessageBatchRequest.builder().queueUrl(queue.url()).entries(deletes).build());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        if (pollers != null) {
            pollers.shutdownNow();
        }
    }
}
