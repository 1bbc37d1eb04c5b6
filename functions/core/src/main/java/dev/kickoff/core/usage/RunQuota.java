package dev.kickoff.core.usage;

/**
 * The monthly run quota's hook on the trigger edge: checked before a run is created (not for an idempotent replay,
 * which creates nothing), told of each run created.
 */
public interface RunQuota {
    /** Refuses with {@link QuotaExceededException} when the organization's quota for this month is used up. */
    void check(long orgId);

    /** A run was created (counted at once by this instance, before the metering counts it). */
    void started(long orgId);

    RunQuota NONE = new RunQuota() {
        @Override
        public void check(long orgId) {
        }

        @Override
        public void started(long orgId) {
        }
    };
}
