package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.engine.Delivery;
import dev.kickoff.core.engine.Outcome;
import dev.kickoff.core.engine.RunExecutor;
import dev.kickoff.core.engine.RunTimings;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.Redelivery;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.lambda.SqsBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One run message: the run is executed ({@link RunExecutor#execute}) and the outcome decides what becomes of the
 * message. Only ports: the queue to send a fresh message on, the redelivery to keep one for later.
 * <ul>
 *   <li>run finished, already finished, superseded, gone for good, or suspended: delete the message;</li>
 *   <li>another worker holds a live lease (duplicate delivery): keep the message, hidden until that lease ends, so
 *       the run is resumed if that worker dies;</li>
 *   <li>a transient failure: keep the message for a retry with backoff; on the queue's last delivery the run is ended
 *       as failed instead, so no run stays in progress forever;</li>
 *   <li>the run yielded at the invocation's deadline: send a fresh message for it and delete this one, so a long run
 *       that makes progress on every delivery never piles up receives towards the dead-letter queue.</li>
 * </ul>
 */
final class RunMessageProcessor implements SqsBatch.MessageProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(RunMessageProcessor.class);

    private final RunExecutor executor;
    private final RunQueue queue;
    private final Redelivery redelivery;
    private final Clock clock;
    private final RunTimings timings;
    /** Names this process in lease owners (see {@link #process}). */
    private final String instanceId;

    RunMessageProcessor(RunExecutor executor, RunQueue queue, Redelivery redelivery, Clock clock,
                               RunTimings timings, String instanceId) {
        this.executor = executor;
        this.queue = queue;
        this.redelivery = redelivery;
        this.clock = clock;
        this.timings = timings;
        this.instanceId = instanceId;
    }

    /** @return true when the message can be deleted */
    @Override
    public boolean process(SQSEvent.SQSMessage message, Instant deadline) {
        long runId = runId(message);
        if (runId <= 0) {
            LOG.error("dropping a message that names no run (message {})", message.getMessageId());
            return true;
        }
        LogContext.put(LogContext.RUN_ID, runId);
        int receiveCount = SqsBatch.receiveCount(message);
        boolean lastAttempt = receiveCount >= timings.maxReceiveCount();
        try {
            // A lease owner per delivery, drawn now: with SnapStart every restored instance shares whatever was
            // drawn at init, and two workers with one owner string could not tell their leases apart.
            String owner = instanceId + "/" + UUID.randomUUID();
            Outcome outcome = executor.execute(new Delivery(runId, owner, receiveCount, lastAttempt, deadline));
            if (outcome.run() != null) {
                LogContext.put(LogContext.ORG_ID, outcome.run().orgId());
                LogContext.put(LogContext.WORKFLOW_ID, outcome.run().workflowId());
            }
            return switch (outcome) {
                case Outcome.Finished f -> true;
                case Outcome.AlreadyFinished f -> true;
                case Outcome.NotRunnable n -> true;
                // Someone else ended the run while this delivery had it: nothing is left to do.
                case Outcome.Superseded s -> true;
                case Outcome.Missing m -> {
                    // Runs are queued before they are stored: a young message may still see its run appear. Kept
                    // even on its last delivery: dead-lettered, the sweeper takes it in and lists its run if the
                    // write did land after all.
                    Duration age = age(message);
                    if (age != null && age.compareTo(timings.unstoredRunWait()) < 0) {
                        redelivery.after(message.getReceiptHandle(), backoff(receiveCount));
                        yield false;
                    }
                    LOG.info("run {} was queued but never stored (its request failed or its creator died); "
                            + "dropping its message", runId);
                    yield true;
                }
                case Outcome.Busy b -> {
                    redelivery.after(message.getReceiptHandle(), until(b.retryAt()));
                    yield false;
                }
                // A step asked to be retried later, or the run waits (a delay): its wake-up is arranged.
                case Outcome.Deferred d -> true;
                case Outcome.Suspended w -> true;
                // Early (or an extra one): back when the run is due. The wake-up message is on the queue anyway, so a
                // lost visibility change costs nothing but an extra delivery.
                case Outcome.NotDue n -> {
                    if (until(n.wakeAt()).compareTo(RunQueue.MAX_DELAY) > 0) {
                        yield true;  // a long wait: the wake-up index has the run; the sweeper sends its message
                    }
                    redelivery.after(message.getReceiptHandle(), until(n.wakeAt()));
                    yield false;
                }
                // Another worker took the run over after this worker's lease ran out. This message may be the one
                // it holds, so leave it: it comes back, finds the run finished, and is deleted then.
                case Outcome.LeaseLost l -> false;
                case Outcome.Yielded y -> requeue(message, y);
            };
        } catch (RuntimeException e) {
            LOG.warn("run {} failed on delivery {} of {}; it will be retried: {}", runId, receiveCount,
                    timings.maxReceiveCount(), e.toString());
            redelivery.after(message.getReceiptHandle(), backoff(receiveCount));
            return false;
        } finally {
            LogContext.clear();
        }
    }

    /**
     * A fresh message for a run that yielded (its lease ended: the message can be taken at once), so that this one can
     * be deleted. If the send fails, this message is kept and comes back after a short backoff instead.
     */
    private boolean requeue(SQSEvent.SQSMessage message, Outcome.Yielded yielded) {
        try {
            queue.enqueue(yielded.run().orgId(), yielded.run().id());
            LOG.info("run {} yielded at the invocation's deadline after {} step(s); queued again", yielded.run().id(),
                    yielded.run().steps().size());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("run {} yielded but could not be queued again ({}); its message is kept instead",
                    yielded.run().id(), e.toString());
            redelivery.after(message.getReceiptHandle(), Duration.ofSeconds(1));
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

    /** Since the message was sent (SQS's SentTimestamp); null when unknown. */
    private Duration age(SQSEvent.SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        String sent = attributes == null ? null : attributes.get("SentTimestamp");
        try {
            return sent == null ? null : Duration.between(Instant.ofEpochMilli(Long.parseLong(sent)), clock.instant());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** 2, 4, 8, ... seconds, up to five minutes. */
    static Duration backoff(int receiveCount) {
        return Duration.ofSeconds(Math.min(300, 1L << Math.min(Math.max(receiveCount, 1), 8)));
    }

    /** Until {@code at} (and a second more, so that the lease is surely over); 30 s when unknown. */
    private Duration until(Instant at) {
        long seconds = at == null ? 30 : Duration.between(clock.instant(), at).toSeconds() + 1;
        return Duration.ofSeconds(Math.max(1, seconds));
    }
}
