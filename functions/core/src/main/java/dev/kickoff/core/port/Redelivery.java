package dev.kickoff.core.port;

import java.time.Duration;

/**
 * What a worker may do with a message it keeps instead of deleting: have it come back after a while (on SQS, by
 * changing its visibility timeout). Used to back off a transient failure, and to hide a duplicate until the live
 * lease it met ends. Never fails the delivery: a message it cannot hide comes back after the queue's own timeout.
 */
public interface Redelivery {
    /** The longest a message can be kept out of sight (SQS's visibility timeout limit). */
    Duration MAX = Duration.ofHours(12);

    /** The message whose handle is {@code handle} comes back after {@code delay} (at most {@link #MAX}). */
    void after(String handle, Duration delay);
}
