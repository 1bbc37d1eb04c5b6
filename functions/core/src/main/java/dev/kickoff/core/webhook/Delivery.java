package dev.kickoff.core.webhook;

import java.time.Instant;
import java.util.Locale;

/**
 * One event on its way to one subscription, with the log of its attempts. Its ID is the {@code webhook-id}
 * header of every attempt, so a receiver can deduplicate retries.
 *
 * @param attempts       attempts made (or under way) so far
 * @param nextAttemptAt  when the next attempt is due, null when none is scheduled
 * @param leaseUntil     an attempt under way owns the delivery until then (a crashed attempt is retried after it)
 * @param replayOf       the delivery this one replays, or null
 */
public record Delivery(
        String id,
        long orgId,
        long webhookId,
        String eventId,
        WebhookEventType eventType,
        Status status,
        int attempts,
        Integer lastStatusCode,
        String lastError,
        Long lastLatencyMillis,
        Instant lastAttemptAt,
        Instant nextAttemptAt,
        String responseExcerpt,
        Instant createdAt,
        Instant expiresAt,
        String replayOf,
        Instant leaseUntil) {

    public enum Status {
        PENDING, SUCCEEDED, FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status fromWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** TTL is late or never: an expired delivery is treated as absent. */
    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** The result of one attempt, to record on the delivery. */
    public record Attempt(Integer statusCode, String error, long latencyMillis, Instant at, String responseExcerpt) {
    }
}
