package dev.kickoff.core.engine;

import dev.kickoff.core.port.ActiveRuns;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.Wakeups;
import dev.kickoff.core.run.RunStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds runs that nothing will move any more and moves them. A run is stuck when it has been quiet (not created,
 * claimed, checkpointed or recovered) for longer than its recovery interval while:
 * <ul>
 *   <li>{@code pending}: its message never reached the queue (a run stored before it was queued, whose creator died
 *       between the write and the send),
 *       or was dead-lettered before a worker could claim the run;</li>
 *   <li>{@code in_progress} under an expired lease: its worker died and its message is gone (dead-lettered after
 *       the queue's last receive, e.g. because the worker kept being killed by its timeout).</li>
 * </ul>
 * Such a run is queued again (the claim protocol makes an extra message harmless) and the recovery is counted on
 * the run, conditionally on the run not having moved since it was read, so concurrent sweeps count (and queue) it
 * once. The interval doubles with every recovery (grace, 2 x grace, ... up to a cap), so a run that keeps failing
 * costs little and a slow queue is not flooded. An {@code in_progress} run that is stuck again after the last
 * recovery allowed is given up: ended {@code failed} through the executor's failure path (a case run parks its case
 * in {@code Error} in the same write). A {@code pending} run is never given up: no worker has tried it, so it can
 * still succeed once workers catch up; it keeps being queued, at most once per capped interval, with a warning.
 *
 * <p>Each sweep is bounded (runs examined, and a deadline); a sweep that stops early is continued where it stopped
 * by the next sweep of this instance (a new instance starts from the oldest runs). Safe to run concurrently with
 * itself and with workers: every change is a conditional write.
 */
public final class RunSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(RunSweeper.class);

    /**
     * @param grace         how long a run must be quiet before the first recovery (and how old it must be to be
     *                      looked at at all); later recoveries wait twice as long as the one before
     * @param maxRecoveries recoveries of an {@code in_progress} run before it is given up
     * @param maxInterval   the longest wait between two recoveries
     * @param maxRuns       runs examined per sweep at most
     * @param pageSize      index entries read per query
     */
    public record Settings(Duration grace, int maxRecoveries, Duration maxInterval, int maxRuns, int pageSize) {
        public static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);
        public static final int DEFAULT_MAX_RECOVERIES = 3;
        public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofHours(1);
        public static final int DEFAULT_MAX_RUNS = 2000;

        public Settings {
            if (grace.isNegative() || grace.isZero()) {
                throw new IllegalArgumentException("the sweep grace must be positive");
            }
            if (maxRecoveries < 1) {
                throw new IllegalArgumentException("max recoveries must be at least 1");
            }
            if (maxInterval.compareTo(grace) < 0) {
                throw new IllegalArgumentException("the longest recovery interval must be at least the grace");
            }
            if (maxRuns < 1 || pageSize < 1 || pageSize > 1000) {
                throw new IllegalArgumentException("max runs must be positive and the page size 1 to 1000");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_GRACE, DEFAULT_MAX_RECOVERIES, DEFAULT_MAX_INTERVAL, DEFAULT_MAX_RUNS, 100);
        }

        /** How long a run that has been recovered {@code recoveries} times must be quiet before the next recovery. */
        public Duration interval(int recoveries) {
            Duration d = grace;
            for (int i = 0; i < recoveries && d.compareTo(maxInterval) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxInterval) > 0 ? maxInterval : d;
        }
    }

    /**
     * @param complete false when the sweep stopped at its bound (runs or time) before it had seen every candidate
     */
    public record Report(int examined, int requeued, int givenUp, int unlisted, int errors, boolean complete,
                         int woken) {
        public Report(int examined, int requeued, int givenUp, int unlisted, int errors, boolean complete) {
            this(examined, requeued, givenUp, unlisted, errors, complete, 0);
        }
    }

    /**
     * How far ahead a sweep looks for runs to wake: more than the time between two sweeps (a minute), so that a run is
     * sent its message before it is due, held back to the second; a run due within it may get one message per sweep
     * until it wakes, which its claim makes harmless.
     */
    public static final Duration WAKE_LOOKAHEAD = Duration.ofMinutes(2);

    enum Decision { LEFT, REQUEUED, GIVEN_UP, UNLISTED, ERROR }

    private final ActiveRuns active;
    private final RunQueue queue;
    private final RunExecutor executor;
    private final Clock clock;
    private final Settings settings;
    /**
     * A cycle goes once through every partition, oldest first; a sweep that stops at its bound leaves the rest of
     * the cycle to the next sweeps, so under a backlog every run is looked at once per cycle rather than the oldest
     * ones on every sweep. Per partition: where the cycle is (null: at the oldest) and whether it is done.
     */
    private final String[] resume;
    private final boolean[] cycleDone;
    /** The partition the next sweep reads first: where the last one stopped. */
    private int startAt;

    private final Wakeups wakeups;

    public RunSweeper(ActiveRuns active, RunQueue queue, RunExecutor executor, Clock clock, Settings settings) {
        this(active, null, queue, executor, clock, settings);
    }

    /** @param wakeups the long waits to wake (null: this sweeper wakes none) */
    public RunSweeper(ActiveRuns active, Wakeups wakeups, RunQueue queue, RunExecutor executor, Clock clock,
                      Settings settings) {
        this.wakeups = wakeups;
        this.active = active;
        this.queue = queue;
        this.executor = executor;
        this.clock = clock;
        this.settings = settings;
        this.resume = new String[active.partitions()];
        this.cycleDone = new boolean[resume.length];
        this.startAt = ThreadLocalRandom.current().nextInt(resume.length);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * One sweep over the runs that were created more than the grace ago and are not finished. Partitions are read
     * a page at a time in turn, so a backlog in one does not starve the others; a sweep stopped by its bound is
     * continued by the next one, from the same partition and entry.
     *
     * @param deadline no new page or run is started after it (null: bounded by {@link Settings#maxRuns} only)
     */
    public synchronized Report sweep(Instant deadline) {
        // Recovery first: it reads the listing right after the dead letters were taken in, as it always has; the
        // wake-up pass (64 more queries) follows.
        Report recovered = recover(deadline);
        int woken = wake(deadline);
        return new Report(recovered.examined(), recovered.requeued(), recovered.givenUp(), recovered.unlisted(),
                recovered.errors(), recovered.complete(), woken);
    }

    /**
     * Sends each long wait due within {@link #WAKE_LOOKAHEAD} its wake-up message, held back until its wake time: one
     * query per partition, no read and no write per run. Bounded by {@link Settings#maxRuns} and the deadline; what is
     * left is sent by the next sweep (a minute later, still ahead of most wake times).
     */
    private int wake(Instant deadline) {
        if (wakeups == null) {
            return 0;
        }
        Instant now = clock.instant();
        int sent = 0;
        for (int p = 0; p < wakeups.partitions() && sent < settings.maxRuns() && !past(deadline); p++) {
            for (Wakeups.Due due : wakeups.due(p, now.plus(WAKE_LOOKAHEAD), Math.min(settings.pageSize(),
                    settings.maxRuns() - sent))) {
                try {
                    Duration delay = Duration.between(now, due.wakeAt());
                    queue.enqueue(due.orgId(), due.runId(), delay.isNegative() ? Duration.ZERO : delay);
                    sent++;
                } catch (RuntimeException e) {
                    LOG.warn("sweep could not send run {} its wake-up: {}", due.runId(), e.toString());
                }
            }
        }
        return sent;
    }

    private Report recover(Instant deadline) {
        Instant cutoff = clock.instant().minus(settings.grace());
        int partitions = resume.length;
        if (open(cycleDone) == 0) {
            java.util.Arrays.fill(cycleDone, false);  // the last cycle went round every partition: a new one
            java.util.Arrays.fill(resume, null);
        }
        int first = startAt;
        int stoppedAt = first;
        int examined = 0;
        int[] counts = new int[Decision.values().length];
        boolean stopped = false;
        while (open(cycleDone) > 0 && !stopped) {
            for (int i = 0; i < partitions && !stopped; i++) {
                int p = (first + i) % partitions;
                if (cycleDone[p]) {
                    continue;
                }
                if (examined >= settings.maxRuns() || past(deadline)) {
                    stopped = true;
                    stoppedAt = p;
                    break;
                }
                ActiveRuns.Page page = active.page(p, cutoff, resume[p],
                        Math.min(settings.pageSize(), settings.maxRuns() - examined));
                boolean pageDone = true;
                for (ActiveRuns.Entry entry : page.entries()) {
                    if (past(deadline)) {
                        stopped = true;
                        stoppedAt = p;
                        pageDone = false;
                        break;
                    }
                    counts[recover(entry.runId()).ordinal()]++;
                    examined++;
                    resume[p] = entry.position();
                }
                if (pageDone && (!page.more() || page.entries().isEmpty())) {
                    cycleDone[p] = true;
                    resume[p] = null;
                }
            }
        }
        boolean complete = open(cycleDone) == 0;
        startAt = complete ? (first + 1) % partitions : stoppedAt;
        Report report = new Report(examined, counts[Decision.REQUEUED.ordinal()], counts[Decision.GIVEN_UP.ordinal()],
                counts[Decision.UNLISTED.ordinal()], counts[Decision.ERROR.ordinal()], complete);
        if (report.requeued() + report.givenUp() + report.unlisted() + report.errors() > 0 || !report.complete()) {
            LOG.info("sweep: examined {}, queued again {}, given up {}, unlisted {}, errors {}{}", report.examined(),
                    report.requeued(), report.givenUp(), report.unlisted(), report.errors(),
                    report.complete() ? "" : " (stopped at its bound; the next sweep continues)");
        }
        return report;
    }

    private static int open(boolean[] done) {
        int n = 0;
        for (boolean d : done) {
            n += d ? 0 : 1;
        }
        return n;
    }

    private boolean past(Instant deadline) {
        return deadline != null && !clock.instant().isBefore(deadline);
    }

    /** Decides about one run and acts on it. */
    Decision recover(long runId) {
        try {
            Optional<ActiveRuns.Snapshot> read = active.read(runId);
            if (read.isEmpty()) {
                return Decision.LEFT;
            }
            ActiveRuns.Snapshot run = read.get();
            if (run.status().terminal()) {
                // Every path that ends a run takes it out of the listing in the same write; this is a leftover.
                return run.listed() && active.unlist(runId) ? Decision.UNLISTED : Decision.LEFT;
            }
            if (run.status() != RunStatus.PENDING && run.status() != RunStatus.IN_PROGRESS) {
                return Decision.LEFT;  // suspended: waiting for a signal, not for a worker
            }
            Instant now = clock.instant();
            if (now.isBefore(run.quietSince().plus(settings.interval(run.recoveries())))) {
                return Decision.LEFT;  // young, leased, or recovered recently enough to still be on its way
            }
            if (run.status() == RunStatus.IN_PROGRESS && run.recoveries() >= settings.maxRecoveries()) {
                return giveUp(run);
            }
            if (!active.recordRecovery(run, now)) {
                return Decision.LEFT;  // it moved since the read, or a concurrent sweep counted it
            }
            queue.enqueue(run.orgId(), runId);
            if (run.status() == RunStatus.PENDING && run.recoveries() + 1 >= settings.maxRecoveries()) {
                LOG.warn("run {} is still pending after being queued again {} times; no worker has claimed it. Is the"
                        + " runs queue backlogged, or is the worker failing before it claims runs?", runId,
                        run.recoveries() + 1);
            } else {
                LOG.info("run {} ({}, quiet since {}) queued again (recovery {})", runId, run.status().wireName(),
                        run.quietSince(), run.recoveries() + 1);
            }
            return Decision.REQUEUED;
        } catch (RuntimeException e) {
            // One run that cannot be read or queued must not stop the sweep; it is looked at again next time.
            LOG.warn("sweep could not recover run {}: {}", runId, e.toString());
            return Decision.ERROR;
        }
    }

    private Decision giveUp(ActiveRuns.Snapshot run) {
        String reason = "the run was given up: its worker stopped without finishing it (crashed, or was ended by the"
                + " function's timeout) on every attempt, including after " + run.recoveries()
                + " recoveries by the sweeper";
        Outcome outcome = executor.giveUp(run.runId(), "sweeper/" + UUID.randomUUID(), reason);
        if (outcome instanceof Outcome.Finished) {
            LOG.warn("run {} given up after {} recoveries", run.runId(), run.recoveries());
            return Decision.GIVEN_UP;
        }
        return Decision.LEFT;  // a worker took it meanwhile (or it ended): theirs now
    }
}
