package dev.kickoff.core.port;

import java.time.Duration;

/**
 * Hands runs to workers (SQS in production). Delivery is at least once; the run store makes it exactly-once in
 * effect: an extra message finds the run claimed, finished or not due, and changes nothing.
 */
public interface RunQueue {
    /** The longest a message can be held back (SQS's DelaySeconds limit). */
    Duration MAX_DELAY = Duration.ofMinutes(15);

    void enqueue(long orgId, long runId);

    /**
     * A message delivered no sooner than {@code delay} from now (at most {@link #MAX_DELAY}; rounded up to whole
     * seconds, so it never arrives early). Zero is {@link #enqueue(long, long)}.
     */
    default void enqueue(long orgId, long runId, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            enqueue(orgId, runId);
            return;
        }
        throw new UnsupportedOperationException("this queue cannot delay a message");
    }
}
