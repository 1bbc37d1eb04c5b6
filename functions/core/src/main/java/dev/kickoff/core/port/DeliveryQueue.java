package dev.kickoff.core.port;

import java.time.Duration;

/** Hands deliveries to the delivery function (SQS in production); at least once, possibly delayed. */
public interface DeliveryQueue {
    /** The longest delay the queue can hold a message for (SQS: 15 minutes); longer waits are re-delayed. */
    Duration MAX_DELAY = Duration.ofMinutes(15);

    /** Asks for attempt {@code attempt} of the delivery, no sooner than {@code delay} from now. */
    void enqueue(String deliveryId, int attempt, Duration delay);
}
