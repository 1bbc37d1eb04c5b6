package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.engine.RunExecutor;
import dev.kickoff.core.json.Json;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.adapters.aws.SqsRunQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Executes the runs named by one SQS batch, concurrently (a run mostly waits on DynamoDB), and decides for each
 * message whether it is done with:
 * <ul>
 *   <li>run finished, already finished, gone, or suspended: delete the message;</li>
 *   <li>another worker holds a live lease (duplicate delivery): keep the message, hidden until that lease
 *       ends, so the run is resumed if that worker dies;</li>
 *   <li>a transient failure: keep the message for a retry with backoff; on the queue's last delivery the run
 *       is ended as failed instead, so no run stays in progress forever;</li>
 *   <li>the run yielded at the invocation's deadline: send a fresh message for it and delete this one, so a long
 *       run that makes progress on every delivery never piles up receives towards the dead-letter queue.</li>
 * </ul>
 */
public final class RunWorker {
    private static final Logger LOG = LoggerFactory.getLogger(RunWorker.class);
    /** SQS refuses visibility timeouts above 12 hours. */
    private static final long MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

    private final CompositionRoot runtime;
    private final RunExecutor executor;

    public RunWorker(CompositionRoot runtime) {
        this.runtime = runtime;
        this.executor = runtime.executor();
    }

    public SQSBatchResponse handle(SQSEvent event) {
        return handle(event, null);
    }

    /**
     * @param deadline no step is started after it: a run still going then yields and is queued again (null: no
     *                 deadline)
     */
    public SQSBatchResponse handle(SQSEvent event, Instant deadline) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        if (records.size() == 1) {
            if (!process(records.getFirst(), deadline)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(records.getFirst().getMessageId()));
            }
            return new SQSBatchResponse(failures);
        }
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (SQSEvent.SQSMessage record : records) {
                results.add(pool.submit(() -> {
                    if (logContext != null) {
                        MDC.setContextMap(logContext);
                    }
                    return process(record, deadline);
                }));
            }
            for (int i = 0; i < records.size(); i++) {
                boolean done;
                try {
                    done = results.get(i).get();
                } catch (Exception e) {
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
    boolean process(SQSEvent.SQSMessage message, Instant deadline) {
        long runId = runId(message);
        if (runId <= 0) {
            LOG.error("dropping a message that names no run (message {})", message.getMessageId());
            return true;
        }
        LogContext.put(LogContext.RUN_ID, runId);
        int receiveCount = receiveCount(message);
        boolean lastAttempt = receiveCount >= runtime.settings().maxReceiveCount();
        try {
            // A lease owner per delivery, drawn now: with SnapStart every restored instance shares whatever was
            // drawn at init, and two workers with one owner string could not tell their leases apart.
            String owner = runtime.instanceId() + "/" + UUID.randomUUID();
            // A first delivery may skip the claim (pure runs); a redelivery means something went wrong: list the
            // run for the sweeper, then claim.
            RunExecutor.Outcome outcome;
            if (receiveCount <= 1) {
                outcome = executor.executeFirstDelivery(runId, owner, lastAttempt, deadline);
            } else {
                executor.watch(runId);
                outcome = executor.execute(runId, owner, lastAttempt, deadline);
            }
            if (outcome.run() != null) {
                LogContext.put(LogContext.ORG_ID, outcome.run().orgId());
                LogContext.put(LogContext.WORKFLOW_ID, outcome.run().workflowId());
            }
            return switch (outcome.kind()) {
                case FINISHED, ALREADY_FINISHED, NOT_RUNNABLE -> true;
                case MISSING -> {
                    // Runs are queued before they are stored: a young message may still see its run appear. Kept
                    // even on its last delivery: dead-lettered, the sweeper takes it in and lists its run if the
                    // write did land after all.
                    Duration age = age(message);
                    if (age != null && age.compareTo(UNSTORED_RUN_WAIT) < 0) {
                        hideFor(message, backoff(receiveCount));
                        yield false;
                    }
                    LOG.info("run {} was queued but never stored (its request failed or its creator died); "
                            + "dropping its message", runId);
                    yield true;
                }
                case BUSY -> {
                    hideUntil(message, outcome.retryAt());
                    yield false;
                }
                // Someone else took the run over after this worker's lease ran out. This message may be the one
                // they hold, so leave it: it will come back, find the run finished, and be deleted then.
                case LEASE_LOST -> false;
                case YIELDED -> requeue(message, outcome);
            };
        } catch (RuntimeException e) {
            LOG.warn("run {} failed on delivery {} of {}; it will be retried: {}", runId, receiveCount,
                    runtime.settings().maxReceiveCount(), e.toString());
            hideFor(message, backoff(receiveCount));
            return false;
        } finally {
            LogContext.clear();
        }
    }

    /**
     * A fresh message for a run that yielded (its lease is released: the message can be taken at once), so that this
     * one can be deleted. If the send fails, this message is kept and comes back after a short backoff instead.
     */
    private boolean requeue(SQSEvent.SQSMessage message, RunExecutor.Outcome outcome) {
        try {
            new SqsRunQueue(runtime.sqs(), runtime.settings().runsQueueUrl())
                    .enqueue(outcome.run().orgId(), outcome.run().id());
            LOG.info("run {} yielded at the invocation's deadline after {} step(s); queued again", outcome.run().id(),
                    outcome.run().steps().size());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("run {} yielded but could not be queued again ({}); its message is kept instead",
                    outcome.run().id(), e.toString());
            hideFor(message, Duration.ofSeconds(1));
            return false;
        }
    }

    private static long runId(SQSEvent.SQSMessage message) {
        try {
            JsonNode body = Json.parse(message.getBody());
            JsonNode id = body.get("run_id");
            return id != null && id.canConvertToLong() ? id.asLong() : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * How long a message naming a run that does not exist is kept for the run to appear: the API queues a run, then
     * stores it, and its function times out (template.yaml: 10 s) well before this, so an older message's run was
     * never stored.
     */
    static final Duration UNSTORED_RUN_WAIT = Duration.ofSeconds(60);

    /** Since the message was sent (SQS's SentTimestamp); null when unknown. */
    private Duration age(SQSEvent.SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        String sent = attributes == null ? null : attributes.get("SentTimestamp");
        try {
            return sent == null ? null
                    : Duration.between(Instant.ofEpochMilli(Long.parseLong(sent)), runtime.clock().instant());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int receiveCount(SQSEvent.SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        try {
            return attributes == null ? 1 : Integer.parseInt(attributes.getOrDefault("ApproximateReceiveCount", "1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** 2, 4, 8, ... seconds, up to five minutes. */
    static Duration backoff(int receiveCount) {
        return Duration.ofSeconds(Math.min(300, 1L << Math.min(Math.max(receiveCount, 1), 8)));
    }

    private void hideUntil(SQSEvent.SQSMessage message, Instant until) {
        long seconds = until == null ? 30 : Duration.between(runtime.clock().instant(), until).toSeconds() + 1;
        hideFor(message, Duration.ofSeconds(Math.max(1, seconds)));
    }

    private void hideFor(SQSEvent.SQSMessage message, Duration duration) {
        try {
            runtime.sqs().changeMessageVisibility(ChangeMessageVisibilityRequest.builder()
                    .queueUrl(runtime.settings().runsQueueUrl())
                    .receiptHandle(message.getReceiptHandle())
                    .visibilityTimeout((int) Math.min(MAX_VISIBILITY_SECONDS, duration.toSeconds()))
                    .build());
        } catch (RuntimeException e) {
            // the queue's own visibility timeout applies instead; loud, because retries then wait minutes
            LOG.warn("could not change the visibility of message {}: {}", message.getMessageId(), e.toString());
        }
    }
}
