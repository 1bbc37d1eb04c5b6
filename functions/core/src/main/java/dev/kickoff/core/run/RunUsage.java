package dev.kickoff.core.run;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run used, as it is metered (docs: README, "Usage and pricing"): {@code steps} counts step executions (every
 * attempt of a step that ran, a {@code retry} included; a step skipped by its {@code if} did not run), {@code stepMs}
 * the time its steps took (a {@code delay} step's wait is not step time), {@code outboundRequests} the HTTP requests
 * its steps made, {@code costCents} what it was priced at (null until it is metered, when it first finishes).
 *
 * @param stepsByType step executions per step type (what the price list prices)
 */
public record RunUsage(long steps, long stepMs, long outboundRequests, BigDecimal costCents,
                       Map<String, Long> stepsByType) {
    /** Step types whose time is waiting, not work: not step time. */
    static final java.util.Set<String> WAITING_TYPES = java.util.Set.of("delay");

    public RunUsage {
        stepsByType = stepsByType == null ? Map.of() : Map.copyOf(stepsByType);
    }

    public static final RunUsage NONE = new RunUsage(0, 0, 0, null, Map.of());

    static RunUsage of(Run run) {
        return measure(run.steps(), null).priced(run.costCents());
    }

    public RunUsage priced(BigDecimal cost) {
        return new RunUsage(steps, stepMs, outboundRequests, cost, stepsByType);
    }

    /**
     * The usage of the step records that started after {@code since} (null: all of them): a run retried from its
     * failed step keeps the records of the steps that had completed, which were metered when it first finished.
     */
    public static RunUsage measure(List<StepRecord> records, Instant since) {
        long steps = 0;
        long ms = 0;
        long outbound = 0;
        Map<String, Long> byType = new TreeMap<>();
        for (StepRecord r : records) {
            if (!(StepRecord.COMPLETED.equals(r.status()) || StepRecord.FAILED.equals(r.status())
                    || StepRecord.SKIPPED.equals(r.status()))) {
                continue;  // waiting or retrying: not an end of the step (a terminal run has none but a cancelled wait)
            }
            if (since != null && (r.startedAt() == null || !r.startedAt().isAfter(since))) {
                continue;
            }
            int attempts = Math.max(0, r.attempts());
            if (attempts == 0) {
                continue;  // skipped by its if: it never ran
            }
            steps += attempts;
            byType.merge(r.type(), (long) attempts, Long::sum);
            if (!WAITING_TYPES.contains(r.type()) && r.startedAt() != null && r.completedAt() != null) {
                ms += Math.max(0, Duration.between(r.startedAt(), r.completedAt()).toMillis());
            }
            outbound += outboundRequests(r);
        }
        return new RunUsage(steps, ms, outbound, null, byType);
    }

    /** The outbound requests one step record made (HTTP, SMTP), over all its attempts. */
    static long outboundRequests(StepRecord record) {
        return Math.max(0, record.outboundRequests());
    }
}
