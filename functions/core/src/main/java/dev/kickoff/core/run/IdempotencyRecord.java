package dev.kickoff.core.run;

import java.time.Instant;

/**
 * Which run an idempotency key created, for whom, and for which request. Keys are scoped to an organization and a
 * workflow: the same key on another workflow is another key.
 *
 * @param fingerprint SHA-256 of the request's canonical JSON (see {@link RequestFingerprint}); a retry with a
 *                    different request under the same key is refused rather than silently answered with a run
 *                    that does not match it
 * @param expiresAt   past this instant the key is free again, whether or not DynamoDB's TTL has deleted the item
 */
public record IdempotencyRecord(long orgId, long workflowId, String key, String fingerprint, long runId,
                                Instant createdAt, Instant expiresAt) {
    public boolean liveAt(Instant now) {
        return expiresAt.isAfter(now);
    }
}
