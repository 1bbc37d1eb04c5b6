package dev.kickoff.core.engine;

import java.time.Instant;

/**
 * One delivery of a run's message to a worker: the one input of {@link RunExecutor#execute}.
 *
 * @param owner        names this delivery in the run's lease; drawn per delivery (with SnapStart, restored
 *                     instances share whatever was drawn at init)
 * @param receiveCount how many times the queue has handed this message out (1: its first delivery)
 * @param lastAttempt  the queue's last delivery of it: a run that still cannot be executed is ended as failed
 *                     instead of being left in progress for the dead-letter queue
 * @param deadline     no step is started at or after it (null: none); a run still going then yields
 */
public record Delivery(long runId, String owner, int receiveCount, boolean lastAttempt, Instant deadline) {
    /** A delivery as a tool or test makes one: a redelivery (so the run is claimed), not the last, no deadline. */
    public static Delivery claimed(long runId, String owner) {
        return new Delivery(runId, owner, 2, false, null);
    }

    /** The message's first delivery: a pure run may then be executed without a claim. */
    public boolean first() {
        return receiveCount <= 1;
    }
}
