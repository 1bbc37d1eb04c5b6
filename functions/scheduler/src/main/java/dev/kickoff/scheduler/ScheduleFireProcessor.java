package dev.kickoff.scheduler;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.Redelivery;
import dev.kickoff.core.schedule.ScheduleFirer;
import dev.kickoff.lambda.SqsBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * One fire message ({@code {"org_id", "workflow_id", "schedule_id", "fire_time"}}): handed to the core's
 * {@link ScheduleFirer}, which starts its run (at most one, however often the message comes) and moves the schedule on.
 * The message is deleted once the fire is handled (or there is nothing left to do); kept, to come back, when the fire
 * is early (until its time) or a transient failure stopped it (with backoff; after the queue's last receive it is
 * dead-lettered, and the sweep sends the fire again while the schedule still waits for it).
 */
final class ScheduleFireProcessor implements SqsBatch.MessageProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFireProcessor.class);

    private final ScheduleFirer firer;
    private final Redelivery redelivery;

    ScheduleFireProcessor(ScheduleFirer firer, Redelivery redelivery) {
        this.firer = firer;
        this.redelivery = redelivery;
    }

    /** A fire named by a message. */
    record Fire(long orgId, long workflowId, long scheduleId, Instant fireTime) {
        static Fire parse(String body) {
            try {
                JsonNode n = Json.parse(body);
                Fire f = new Fire(n.path("org_id").asLong(), n.path("workflow_id").asLong(),
                        n.path("schedule_id").asLong(), Instant.parse(n.path("fire_time").asText()));
                return f.orgId() > 0 && f.workflowId() > 0 && f.scheduleId() > 0 ? f : null;
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    @Override
    public boolean process(SQSEvent.SQSMessage message, Instant deadline) {
        Fire fire = Fire.parse(message.getBody());
        if (fire == null) {
            LOG.error("dropping a message that names no fire (message {})", message.getMessageId());
            return true;
        }
        LogContext.put(LogContext.ORG_ID, fire.orgId());
        LogContext.put(LogContext.WORKFLOW_ID, fire.workflowId());
        try {
            return switch (firer.fire(fire.orgId(), fire.workflowId(), fire.scheduleId(), fire.fireTime())) {
                case ScheduleFirer.Result.Done done -> {
                    if (done.runId() != null) {
                        LogContext.put(LogContext.RUN_ID, done.runId());
                    }
                    PowertoolsRunObserver.count(metric(done.outcome()), 1);
                    yield true;
                }
                case ScheduleFirer.Result.NotYet early -> {
                    redelivery.after(message.getReceiptHandle(), early.delay().plusSeconds(1));
                    yield false;
                }
            };
        } catch (RuntimeException e) {
            int receives = SqsBatch.receiveCount(message);
            LOG.warn("schedule {} fire at {} failed on delivery {}; it will be retried: {}", fire.scheduleId(),
                    fire.fireTime(), receives, e.toString());
            redelivery.after(message.getReceiptHandle(), Duration.ofSeconds(Math.min(300, 2L << Math.min(receives, 7))));
            return false;
        } finally {
            LogContext.clear();
        }
    }

    private static String metric(String outcome) {
        return switch (outcome) {
            case "started" -> "ScheduleFiresStarted";
            case "failed" -> "ScheduleFiresFailed";
            case "skipped" -> "ScheduleFiresSkipped";
            case "missed" -> "ScheduleFiresMissed";
            default -> "ScheduleFiresDropped";  // a duplicate, or a schedule edited or deleted since
        };
    }
}
