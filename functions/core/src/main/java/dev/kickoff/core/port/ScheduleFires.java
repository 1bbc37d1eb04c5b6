package dev.kickoff.core.port;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The fires of managed schedules on their way to being handled (an SQS queue in production, read by the scheduler
 * function): each held back until its time, to the second. Delivery is at least once; a fire's run is keyed by the
 * schedule and the fire time, so a duplicate starts nothing.
 */
public interface ScheduleFires {
    /** The longest a message can be held back (SQS's DelaySeconds limit). */
    Duration MAX_DELAY = Duration.ofMinutes(15);

    /** Sends each fire held back by its delay (rounded up to whole seconds, at most {@link #MAX_DELAY}). */
    void send(List<Pending> fires);

    record Pending(long orgId, long workflowId, long scheduleId, Instant fireTime, Duration delay) {
    }

    /** A deployment without managed schedules (tests of other parts): fires go nowhere. */
    ScheduleFires NONE = fires -> {
    };
}
