package dev.kickoff.core.schedule;

import dev.kickoff.core.engine.RunSweeper;
import dev.kickoff.core.port.ScheduleFires;
import dev.kickoff.core.port.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sweeper's firing pass, the same mechanism that wakes long waits: every minute, each partition of the wake-up
 * index is read for the schedules whose next fire is due within {@link #LOOKAHEAD}, and each such fire is sent to the
 * fires queue held back until its time, so it is handled within a second of it. No read or write per schedule: the
 * fire's handler reads the schedule and moves it on to its next fire. A fire due within the look-ahead may be sent by
 * two sweeps (or by the API that saved the schedule and by a sweep); the handler drops the second (the schedule no
 * longer waits for it, or the run's idempotency key answers with the first run).
 *
 * <p>A fire that is late (the sweeper did not run: the local stack was down, a deployment failed) is sent at once by
 * the first sweep after; the handler applies the missed-fire policy ({@link ScheduleFirer}). Bounded per sweep
 * ({@code maxFires}, and the deadline): what is left is sent by the next sweep, late but never lost.
 */
public final class ScheduleSweep {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleSweep.class);
    /** As for long waits: more than the time between two sweeps, so a fire is sent before it is due. */
    public static final Duration LOOKAHEAD = RunSweeper.WAKE_LOOKAHEAD;
    public static final int DEFAULT_MAX_FIRES = 10_000;
    static final int PAGE = 100;
    /** Partitions read at once: the sends dominate, and they mostly wait on the network. */
    static final int PARALLEL = 8;

    private final ScheduleStore store;
    private final ScheduleFires fires;
    private final Clock clock;
    private final int maxFires;

    public ScheduleSweep(ScheduleStore store, ScheduleFires fires, Clock clock, int maxFires) {
        if (maxFires < 1) {
            throw new IllegalArgumentException("the fires per sweep must be at least 1");
        }
        this.store = store;
        this.fires = fires;
        this.clock = clock;
        this.maxFires = maxFires;
    }

    /**
     * Sends every fire due within the look-ahead (at most {@code maxFires}); answers how many were sent.
     *
     * @param deadline no new page is read after it (null: bounded by {@code maxFires} only)
     */
    public int sweep(Instant deadline) {
        Instant now = clock.instant();
        Instant before = now.plus(LOOKAHEAD);
        AtomicInteger budget = new AtomicInteger(maxFires);
        AtomicInteger sent = new AtomicInteger();
        Semaphore slots = new Semaphore(PARALLEL);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int p = 0; p < store.partitions(); p++) {
                int partition = p;
                tasks.add(pool.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        sent.addAndGet(partition(partition, now, before, budget, deadline));
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<?> task : tasks) {
                try {
                    task.get();
                } catch (Exception e) {
                    LOG.warn("schedule sweep: a partition failed: {}", e.toString());
                }
            }
        }
        if (budget.get() <= 0) {
            LOG.warn("schedule sweep sent its limit of {} fires; the rest are sent by the next sweep (late)", maxFires);
        }
        return sent.get();
    }

    /**
     * Takes up to a page from the sweep's budget in one atomic step, so that partitions read concurrently never send
     * more than {@code maxFires} together (reading the budget and then taking from it would let each take the same).
     */
    private static int reserve(AtomicInteger budget) {
        while (true) {
            int left = budget.get();
            if (left <= 0) {
                return 0;
            }
            int take = Math.min(PAGE, left);
            if (budget.compareAndSet(left, left - take)) {
                return take;
            }
        }
    }

    private int partition(int partition, Instant now, Instant before, AtomicInteger budget, Instant deadline) {
        int sent = 0;
        ScheduleStore.Due after = null;
        while (deadline == null || clock.instant().isBefore(deadline)) {
            int want = reserve(budget);
            if (want == 0) {
                return sent;
            }
            List<ScheduleStore.Due> due;
            try {
                due = store.due(partition, before, after, want);
            } catch (RuntimeException e) {
                budget.addAndGet(want);
                LOG.warn("schedule sweep could not read partition {}: {}", partition, e.toString());
                return sent;
            }
            budget.addAndGet(want - due.size());  // what this page did not use goes back to the other partitions
            if (due.isEmpty()) {
                return sent;
            }
            List<ScheduleFires.Pending> pending = new ArrayList<>(due.size());
            for (ScheduleStore.Due d : due) {
                Duration delay = Duration.between(now, d.fireTime());
                pending.add(new ScheduleFires.Pending(d.orgId(), d.workflowId(), d.scheduleId(), d.fireTime(),
                        delay.isNegative() ? Duration.ZERO : delay));
            }
            try {
                fires.send(pending);
                sent += pending.size();
            } catch (RuntimeException e) {
                // Still in the index: the next sweep sends them.
                LOG.warn("schedule sweep could not send {} fires of partition {}: {}", pending.size(), partition,
                        e.toString());
            }
            if (due.size() < want) {
                return sent;
            }
            after = due.getLast();
        }
        return sent;
    }
}
