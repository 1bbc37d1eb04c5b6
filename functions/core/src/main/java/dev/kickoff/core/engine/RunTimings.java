package dev.kickoff.core.engine;

import java.time.Duration;
import java.util.List;

/**
 * Every wait the run lifecycle makes, in one place, each with why it is what it is. The bootstrap's settings read the
 * configurable ones from the environment (template.yaml sets them); tests shorten them.
 *
 * @param lease                how long a claim holds a run ({@code KICKOFF_RUN_LEASE_SECONDS}, 60): longer than a
 *                             worker's invocation (30 s), so a live worker never loses its run, and shorter than the
 *                             runs queue's visibility timeout (180 s), so a dead worker's run can be taken over when
 *                             its message comes back
 * @param maxReceiveCount      the runs queue's redrive threshold ({@code KICKOFF_RUN_MAX_RECEIVE_COUNT}, 5): on that
 *                             delivery a run that still cannot be executed is ended as failed
 * @param workerDeadlineMargin the most a worker keeps back of its invocation for the step in flight and the write
 *                             after it (5 s): longer than a step's template budget (2 s)
 * @param unstoredRunWait      how long a message naming a run that is not stored is kept for the run to appear (60 s):
 *                             runs are queued before they are stored, and the API's timeout (10 s) is far shorter, so
 *                             an older message's run was never stored
 * @param queuedReadWaits      the pauses before each re-read of a run whose message came before its write (5, 10, 20,
 *                             40, 80 ms: about 0.15 s in all; on the local stack a message is delivered in a millisecond)
 * @param abandonedKey         how long after an idempotency key's claim a request may take it over if its run is still
 *                             not stored (30 s): the claim and the run's write are milliseconds apart, and the API's
 *                             timeout is 10 s
 * @param sweeperStopMargin    the most a sweep keeps back of its invocation to end cleanly (10 s of 60 s)
 * @param maxDeadLetters       dead-lettered run messages taken in per sweep at most (200)
 * @param sweep                the sweeper's recovery policy ({@code KICKOFF_SWEEP_*}; see {@link RunSweeper.Settings})
 */
public record RunTimings(
        Duration lease,
        int maxReceiveCount,
        Duration workerDeadlineMargin,
        Duration unstoredRunWait,
        List<Duration> queuedReadWaits,
        Duration abandonedKey,
        Duration sweeperStopMargin,
        int maxDeadLetters,
        RunSweeper.Settings sweep) {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RECEIVE_COUNT = 5;
    public static final Duration WORKER_DEADLINE_MARGIN = Duration.ofSeconds(5);
    public static final Duration UNSTORED_RUN_WAIT = Duration.ofSeconds(60);
    public static final List<Duration> QUEUED_READ_WAITS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(80));
    public static final Duration ABANDONED_KEY = dev.kickoff.core.run.RunService.ABANDONED_KEY;
    public static final Duration SWEEPER_STOP_MARGIN = Duration.ofSeconds(10);
    public static final int MAX_DEAD_LETTERS = 200;

    public RunTimings {
        queuedReadWaits = List.copyOf(queuedReadWaits);
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("the run lease must be positive");
        }
        if (maxReceiveCount < 1) {
            throw new IllegalArgumentException("the max receive count must be at least 1");
        }
    }

    public static RunTimings defaults() {
        return new RunTimings(DEFAULT_LEASE, DEFAULT_MAX_RECEIVE_COUNT, WORKER_DEADLINE_MARGIN, UNSTORED_RUN_WAIT,
                QUEUED_READ_WAITS, ABANDONED_KEY, SWEEPER_STOP_MARGIN, MAX_DEAD_LETTERS, RunSweeper.Settings.defaults());
    }

    public RunTimings withLease(Duration value) {
        return new RunTimings(value, maxReceiveCount, workerDeadlineMargin, unstoredRunWait, queuedReadWaits,
                abandonedKey, sweeperStopMargin, maxDeadLetters, sweep);
    }

    public RunTimings withMaxReceiveCount(int value) {
        return new RunTimings(lease, value, workerDeadlineMargin, unstoredRunWait, queuedReadWaits, abandonedKey,
                sweeperStopMargin, maxDeadLetters, sweep);
    }

    public RunTimings withSweep(RunSweeper.Settings value) {
        return new RunTimings(lease, maxReceiveCount, workerDeadlineMargin, unstoredRunWait, queuedReadWaits,
                abandonedKey, sweeperStopMargin, maxDeadLetters, value);
    }
}
