package dev.kickoff.core.usage;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;

import java.time.Instant;

/** The organization's monthly run quota is used up; {@code resetAt} is when the next month starts (UTC). */
public final class QuotaExceededException extends KickoffException {
    private final long quota;
    private final Instant resetAt;

    public QuotaExceededException(long quota, Instant resetAt) {
        super(Reason.QUOTA_EXCEEDED, "Monthly run quota exceeded: this organization may start " + quota
                + " runs a month, and has; new runs are refused until " + resetAt + ".");
        this.quota = quota;
        this.resetAt = resetAt;
    }

    public long quota() {
        return quota;
    }

    public Instant resetAt() {
        return resetAt;
    }
}
