package dev.kickoff.core.limit;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;

/** A request refused because its token's execute window is full; carries the numbers the answer reports. */
public final class RateLimitedException extends KickoffException {
    private final transient RateLimitDecision decision;

    public RateLimitedException(RateLimitDecision decision) {
        super(Reason.RATE_LIMITED, "Rate limit exceeded. Limit: " + decision.limit() + " requests per minute.");
        this.decision = decision;
    }

    public RateLimitDecision decision() {
        return decision;
    }
}
