package dev.kickoff.core.port;

import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.RunUsage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

/**
 * Metered usage: a marker per run (how many of its finishes are metered) and counters per organization, month, day
 * and workflow, split into {@link #SHARDS} shards so that no counter item takes every run's write (an organization
 * finishing 10,000 runs a second writes about 160 a second to each shard). A finish is metered by one transaction: the
 * marker moves on (conditionally: exactly once, whatever the stream redelivers) and the counters are added to.
 */
public interface UsageStore {
    /** Counter shards per organization and month; reads merge them. A constant: changing it strands counters. */
    int SHARDS = 64;

    /** How far a run's metering has got: its finishes metered, the last one's time, and the cost so far. */
    record Marker(int finishes, Instant meteredAt, BigDecimal costCents) {
    }

    Optional<Marker> marker(long runId);

    /**
     * One finish of a run to count.
     *
     * @param finish          which finish this is (1, then 2 after a retry from the failed step, …)
     * @param previous        the finishes metered before it, as read (0: none, the marker does not exist yet)
     * @param finishedAt      when it finished: the day and month it counts in (UTC)
     * @param usage           what this finish adds (its new step records)
     * @param cost            what this finish adds to the cost
     * @param totalCost       the run's cost with it
     * @param countsRun       true when this finish counts the run itself (its first metered finish)
     * @param status          how it finished ({@code completed} or {@code failed}): the run is counted under it
     *                        when {@code countsRun}, so a day's runs split by status once, like its run count
     */
    record Meter(long runId, long orgId, long workflowId, int finish, int previous, Instant finishedAt, RunUsage usage,
                 BigDecimal cost, BigDecimal totalCost, boolean countsRun, RunStatus status) {
    }

    /**
     * Counts the finish and moves the marker on, in one transaction, if the marker still says {@code previous};
     * false when it does not (another delivery of this finish, or of a later one, got there first).
     */
    boolean meter(Meter meter);

    /** Shows the run's cost on the run, unless the cost of this finish or a later one is shown already. */
    void priceRun(long runId, int finish, BigDecimal totalCost);

    /** One workflow's counters over a month or a day (null: the whole month), merged over the shards. */
    record Counter(long workflowId, long runs, long stepExecutions, long stepMs, long outboundRequests,
                   BigDecimal costCents) {
    }

    /**
     * One day's counters over every workflow: the runs counted that day, those of them that finished {@code completed}
     * and {@code failed} (counters written before the split was metered count in {@code runs} only), and the cost.
     */
    record DayCounter(int day, long runs, long completed, long failed, BigDecimal costCents) {
    }

    /** A month's or a day's counters, per workflow and per day (only days with counters), from one read. */
    record Counters(List<Counter> byWorkflow, List<DayCounter> byDay) {
    }

    /** The counters over a month or a day (null: the whole month), merged over the shards. */
    Counters report(long orgId, YearMonth month, Integer day);

    /** The per-workflow part of {@link #report}. */
    default List<Counter> read(long orgId, YearMonth month, Integer day) {
        return report(orgId, month, day).byWorkflow();
    }

    /** The runs metered in a month, merged over the shards (what the monthly run quota is held to). */
    long monthRuns(long orgId, YearMonth month);
}
