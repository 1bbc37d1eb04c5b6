package dev.kickoff.core.port;

import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Request counters shared by every API instance, and each organization's configured limits. */
public interface RateLimitStore {
    /**
     * Counts one request of {@code tokenId} in the window starting at {@code windowStart}, unless the window's
     * count has reached {@code limit}. Atomic: of any number of concurrent calls, at most {@code limit} succeed.
     *
     * @return the count including this request, or empty when the limit was already reached
     */
    OptionalLong increment(long tokenId, Instant windowStart, int limit, Instant expiresAt);

    /** The organization's own limit on execute (trigger) requests per minute per API token, if it has one. */
    OptionalInt executeLimit(long orgId);

    /** Sets (or, with null, removes) the organization's execute limit; false when the organization does not exist. */
    boolean setExecuteLimit(long orgId, Integer perMinute);
}
