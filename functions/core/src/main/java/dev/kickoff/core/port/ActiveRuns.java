package dev.kickoff.core.port;

import dev.kickoff.core.run.RunStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The unfinished runs ({@code pending} or {@code in_progress}) that could be stuck, found without scanning: a run
 * stored before it is queued is listed from the write that creates it, any run from its first redelivery
 * ({@code RunStore#watch}), until the write that ends it. A plain run is queued before it is stored and is not
 * listed while its deliveries go well. Split into {@link #partitions()}
 * partitions so that no one of them takes every run's writes; within a partition, oldest first.
 * The listing may lag the runs a little (on DynamoDB it is a global secondary index): always {@link #read} a run
 * before acting on it.
 */
public interface ActiveRuns {
    /** How many partitions the listing is split into; {@link #page} takes {@code 0 <= partition < partitions()}. */
    int partitions();

    /**
     * Up to {@code limit} runs of one partition listed before {@code createdBefore}, oldest first, starting after
     * the entry whose {@link Entry#position()} is {@code after} (null: from the oldest).
     */
    Page page(int partition, Instant createdBefore, String after, int limit);

    /** Strongly consistent read of what the sweeper needs to know about a run; empty when there is no such run. */
    Optional<Snapshot> read(long runId);

    /**
     * Counts one more recovery of the run (queued again by the sweeper) at {@code at}, only if the run is still as
     * {@code seen}: same status, same {@code updated_at}, same lease, same count. False when it moved (a worker
     * took it, or another sweep counted it first): the caller must then leave it alone.
     */
    boolean recordRecovery(Snapshot seen, Instant at);

    /** Takes a run that is already terminal out of the listing; false when it is not terminal. */
    boolean unlist(long runId);

    /** @param position opaque place of the entry in its partition, for {@link #page}'s {@code after} */
    record Entry(long runId, String position) {
    }

    /** @param more whether the partition has more entries before the cut-off after this page */
    record Page(List<Entry> entries, boolean more) {
    }

    /**
     * A run as the sweeper sees it.
     *
     * @param leaseUntil  when the current (or last) worker's lease ends; null when never claimed
     * @param recoveries  how many times the sweeper has queued it again
     * @param recoveredAt when it last did; null if never
     * @param listed      whether the run is still in the listing
     */
    record Snapshot(long runId, long orgId, RunStatus status, Instant createdAt, Instant updatedAt,
                    Instant leaseUntil, int recoveries, Instant recoveredAt, boolean listed) {
        /** The last moment anything happened to the run: created, claimed, checkpointed, released or recovered. */
        public Instant quietSince() {
            Instant last = createdAt;
            for (Instant t : new Instant[]{updatedAt, leaseUntil, recoveredAt}) {
                if (t != null && t.isAfter(last)) {
                    last = t;
                }
            }
            return last;
        }
    }
}
