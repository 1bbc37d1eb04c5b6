package dev.kickoff.core.port;

import java.time.Instant;
import java.util.List;

/**
 * Suspended runs waiting longer than a message can be held back (15 minutes), by wake time, found without scanning:
 * listed by the write that suspends such a run, out again with the claim that wakes it (or the write that ends it).
 * Split into {@link #partitions()} so that no partition takes every run's writes; within one, soonest first. The
 * listing may lag (a GSI): an entry is a hint, and waking a run is a conditional claim anyway.
 */
public interface Wakeups {
    int partitions();

    /** Up to {@code limit} runs of one partition due before {@code before}, soonest first. */
    List<Due> due(int partition, Instant before, int limit);

    record Due(long runId, long orgId, Instant wakeAt) {
    }
}
