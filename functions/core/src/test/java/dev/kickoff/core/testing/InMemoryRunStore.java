package dev.kickoff.core.testing;

import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunLifecycle;
import dev.kickoff.core.run.RunLifecycle.Event;
import dev.kickoff.core.run.RunLifecycle.Guard;
import dev.kickoff.core.run.RunLifecycle.Transition;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.RunSignals;
import dev.kickoff.core.run.RunStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The RunStore contract in memory, for fast engine tests; the DynamoDB adapter is tested against DynamoDB Local.
 * Like the adapter, it interprets {@link RunLifecycle}: a write lands only if a row of its event starts from the
 * run's status and its guard holds. One lock makes every write atomic, as a conditional write is.
 */
public class InMemoryRunStore implements RunStore {
    public final Map<Long, Run> runs = new ConcurrentHashMap<>();
    /** Runs listed among the active runs (InMemoryActiveRuns keeps its own listing for sweeper tests). */
    public final Set<Long> listed = ConcurrentHashMap.newKeySet();
    /** Suspended runs listed in the wake-up index (a wait longer than a held-back message). */
    public final Set<Long> wakeListed = ConcurrentHashMap.newKeySet();

    /**
     * The row of {@code event} that allows a write on {@code current} (null: no run), given which guards hold; empty
     * when the table refuses it.
     */
    public static Optional<Transition> row(Event event, Run current, Predicate<Guard> holds) {
        RunStatus from = current == null ? null : current.status();
        return RunLifecycle.rows(event).stream().filter(t -> t.from() == from && holds.test(t.guard())).findFirst();
    }

    /** The guards a worker's write checks, as this store sees {@code current}. */
    private Predicate<Guard> guards(Run current, String owner, Instant now, Instant seenUpdatedAt) {
        return guards(current, owner, now, seenUpdatedAt, null, -1, null);
    }

    /**
     * @param signal      the signal a client's write brings (SIGNAL, KEEP_SIGNAL), or the one a worker takes (RECEIVE)
     * @param seenSignals the kept signals the worker read (AWAIT), or where it read the one it takes (RECEIVE)
     * @param keyed       whether {@code signal} came with an idempotency key
     */
    private Predicate<Guard> guards(Run current, String owner, Instant now, Instant seenUpdatedAt, RunSignal signal,
                                    int seenSignals, Boolean keyed) {
        return guard -> switch (guard) {
            case LEASE_HELD_NO_NEW_SIGNAL -> owner != null && owner.equals(current.leaseOwner())
                    && current.signals().kept().size() == seenSignals;
            case LEASE_HELD_SIGNAL_KEPT -> owner != null && owner.equals(current.leaseOwner()) && signal != null
                    && seenSignals >= 0 && seenSignals < current.signals().kept().size()
                    && current.signals().kept().get(seenSignals).id().equals(signal.id());
            case AWAITED -> signal != null && signal.name().equals(current.signals().awaited()) && room(current, signal);
            case NOT_AWAITED -> signal != null && !signal.name().equals(current.signals().awaited())
                    && room(current, signal);
            case SIGNAL_ROOM -> signal != null && room(current, signal);
            case NONE -> true;
            case DUE -> current.wakeAt() == null || !current.wakeAt().isAfter(now);
            case WAKE_DUE -> current.wakeAt() != null && !current.wakeAt().isAfter(now);
            case ID_FREE -> current == null;
            case LEASE_EXPIRED -> current.leaseUntil() != null && !current.leaseUntil().isAfter(now);
            case LEASE_HELD -> owner != null && owner.equals(current.leaseOwner());
            case UNCHANGED -> Objects.equals(current.updatedAt(), seenUpdatedAt);
            case NOT_LISTED -> !listed.contains(current.id());
            case LISTED -> listed.contains(current.id());
            case QUIET -> false;  // the sweeper's recovery: InMemoryActiveRuns
        };
    }

    private static boolean room(Run current, RunSignal signal) {
        return current.signals().kept().size() < RunSignals.MAX_KEPT && !current.signals().keys().contains(signal.id());
    }

    @Override
    public synchronized void create(Run run) {
        if (row(Event.CREATE, runs.get(run.id()), guards(runs.get(run.id()), null, null, null)).isEmpty()) {
            throw new DuplicateIdException("run " + run.id());
        }
        runs.put(run.id(), run);
    }

    @Override
    public synchronized boolean watch(long runId, Instant at) {
        Run run = runs.get(runId);
        if (run == null || row(Event.WATCH, run, guards(run, null, at, null)).isEmpty()) {
            return false;
        }
        return listed.add(runId);
    }

    @Override
    public Optional<Run> find(long runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public Optional<Run> findQueued(long runId) {
        return find(runId);
    }

    @Override
    public synchronized ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil) {
        Run run = runs.get(runId);
        if (run == null) {
            return new ClaimResult.Missing();
        }
        if (row(Event.CLAIM, run, guards(run, owner, now, null)).isEmpty()) {
            if (run.status().terminal()) {
                return new ClaimResult.Finished(run);
            }
            if (run.status() == RunStatus.IN_PROGRESS) {
                return new ClaimResult.Busy(run);
            }
            if (run.status() == RunStatus.PENDING || run.wakeAt() != null) {
                return new ClaimResult.NotDue(run);
            }
            return new ClaimResult.NotRunnable(run);
        }
        Run claimed = run.toBuilder().status(RunStatus.IN_PROGRESS).lease(owner, leaseUntil)
                .attempts(run.attempts() + 1).startedAt(run.startedAt() == null ? now : run.startedAt())
                .updatedAt(now).wakeAt(null).signals(run.signals().awaiting(null)).build();
        runs.put(runId, claimed);
        wakeListed.remove(runId);
        return new ClaimResult.Claimed(claimed);
    }

    /** A lease-checked write: {@code run} replaces what is stored if the table allows {@code event}. */
    private synchronized WriteResult leased(Event event, Run run, Run replacement) {
        Run current = runs.get(run.id());
        if (current == null || row(event, current, guards(current, run.leaseOwner(), null, null)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        // As the adapter's writes, which SET what they change and leave the rest: signals a client kept meanwhile stay.
        runs.put(run.id(), replacement.toBuilder().signals(current.signals()).build());
        return new WriteResult.Written();
    }

    @Override
    public WriteResult checkpoint(Run run) {
        return leased(Event.CHECKPOINT, run, run);
    }

    @Override
    public synchronized WriteResult release(Run run) {
        Run current = runs.get(run.id());
        return leased(Event.RELEASE, run, current == null ? run
                : current.toBuilder().lease(current.leaseOwner(), Instant.EPOCH).build());
    }

    @Override
    public WriteResult yieldLease(Run run) {
        return leased(Event.YIELD, run, run);
    }

    @Override
    public synchronized WriteResult suspend(Run run, boolean wakeListed) {
        WriteResult result = leased(Event.SUSPEND, run, run.toBuilder().status(RunStatus.SUSPENDED).lease(null, null)
                .build());
        if (result.written() && wakeListed) {
            this.wakeListed.add(run.id());
        }
        return result;
    }

    @Override
    public WriteResult defer(Run run) {
        return leased(Event.DEFER, run, run.toBuilder().status(RunStatus.PENDING).lease(null, null).build());
    }

    @Override
    public synchronized WriteResult finish(Run run) {
        WriteResult result = leased(run.status() == RunStatus.COMPLETED ? Event.COMPLETE : Event.FAIL, run,
                run.toBuilder().lease(null, null).build());
        if (result.written()) {
            listed.remove(run.id());
        }
        return result;
    }

    @Override
    public synchronized WriteResult retry(Run run, Instant seenUpdatedAt) {
        Run current = runs.get(run.id());
        if (current == null || row(Event.RETRY, current, guards(current, null, null, seenUpdatedAt)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        runs.put(run.id(), run.toBuilder().lease(null, null).build());
        listed.add(run.id());
        return new WriteResult.Written();
    }

    @Override
    public synchronized WriteResult cancel(long runId, RunError error, Instant at) {
        Run current = runs.get(runId);
        if (current == null || row(Event.CANCEL, current, guards(current, null, at, null)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        runs.put(runId, current.toBuilder().status(RunStatus.FAILED).failure(error).completedAt(at).updatedAt(at)
                .lease(null, null).wakeAt(null).signals(current.signals().awaiting(null)).build());
        listed.remove(runId);
        wakeListed.remove(runId);
        return new WriteResult.Written();
    }

    /** Called inside the AWAIT write, before its condition is checked (a test's signal slips in there). */
    public volatile Runnable beforeAwait;

    @Override
    public synchronized WriteResult awaitSignal(Run run, int seenSignals, boolean wakeListed) {
        Runnable hook = beforeAwait;
        if (hook != null) {
            beforeAwait = null;
            hook.run();
        }
        Run current = runs.get(run.id());
        if (current == null || row(Event.AWAIT, current, guards(current, run.leaseOwner(), null, null, null,
                seenSignals, null)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        // Kept signals are the stored ones (only clients add them); the rest is the worker's.
        runs.put(run.id(), run.toBuilder().status(RunStatus.SUSPENDED).lease(null, null)
                .signals(new RunSignals(current.signals().kept(), run.signals().awaited(), current.signals().keys()))
                .build());
        listed.remove(run.id());
        if (wakeListed) {
            this.wakeListed.add(run.id());
        }
        return new WriteResult.Written();
    }

    @Override
    public WriteResult signal(long runId, RunSignal signal, boolean keyed, Instant at) {
        return addSignal(Event.SIGNAL, runId, signal, keyed, at);
    }

    @Override
    public WriteResult keepSignal(long runId, RunSignal signal, boolean keyed, Instant at) {
        return addSignal(Event.KEEP_SIGNAL, runId, signal, keyed, at);
    }

    private synchronized WriteResult addSignal(Event event, long runId, RunSignal signal, boolean keyed, Instant at) {
        Run current = runs.get(runId);
        if (current == null || row(event, current, guards(current, null, at, null, signal, -1, keyed)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        List<RunSignal> kept = new ArrayList<>(current.signals().kept());
        kept.add(signal);
        Set<String> keys = new HashSet<>(current.signals().keys());
        if (keyed) {
            keys.add(signal.id());
        }
        Run.Builder next = current.toBuilder().updatedAt(at);
        if (event == Event.SIGNAL) {
            next.status(RunStatus.PENDING).wakeAt(null).signals(new RunSignals(kept, null, keys));
            listed.add(runId);
            wakeListed.remove(runId);
        } else {
            next.signals(new RunSignals(kept, current.signals().awaited(), keys));
        }
        runs.put(runId, next.build());
        return new WriteResult.Written();
    }

    @Override
    public synchronized WriteResult receive(Run run, int index, String signalId) {
        Run current = runs.get(run.id());
        RunSignal taken = current == null || index < 0 || index >= current.signals().kept().size() ? null
                : current.signals().kept().get(index);
        if (current == null || taken == null || !taken.id().equals(signalId) || row(Event.RECEIVE, current,
                guards(current, run.leaseOwner(), null, null, taken, index, null)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        List<RunSignal> kept = new ArrayList<>(current.signals().kept());
        kept.remove(index);
        runs.put(run.id(), run.toBuilder().signals(new RunSignals(kept, current.signals().awaited(),
                current.signals().keys())).build());
        return new WriteResult.Written();
    }

    @Override
    public RunPage list(long orgId, long workflowId, RunStatus status, int limit, String cursor) {
        java.util.Comparator<Run> newestFirst = java.util.Comparator.comparing(Run::createdAt)
                .thenComparingLong(Run::id).reversed();
        List<Run> all = runs.values().stream()
                .filter(r -> r.orgId() == orgId && r.workflowId() == workflowId)
                .sorted(newestFirst).toList();
        long after = cursor == null ? Long.MAX_VALUE : parseCursor(cursor);
        List<Run> page = new ArrayList<>();
        Run last = null;
        boolean more = false;
        boolean passed = cursor == null;
        for (Run r : all) {
            if (!passed) {
                passed = r.id() == after;
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            last = r;
            if (status == null || r.status() == status) {
                page.add(r);
            }
        }
        return new RunPage(page, more && last != null ? "mem" + last.id() : null);
    }

    private static long parseCursor(String cursor) {
        try {
            return Long.parseLong(cursor.substring(3));
        } catch (RuntimeException e) {
            throw new dev.kickoff.core.error.KickoffException(dev.kickoff.core.error.Reason.INVALID_REQUEST,
                    "invalid cursor");
        }
    }

    @Override
    public synchronized WriteResult finishUnclaimed(Run run, Instant seenUpdatedAt) {
        Run current = runs.get(run.id());
        Event event = run.status() == RunStatus.COMPLETED ? Event.COMPLETE_UNCLAIMED : Event.FAIL_UNCLAIMED;
        if (current == null || row(event, current, guards(current, null, null, seenUpdatedAt)).isEmpty()) {
            return new WriteResult.Refused(current);
        }
        Run finished = run.toBuilder().lease(null, null).build();
        runs.put(run.id(), finished);
        listed.remove(run.id());
        return new WriteResult.Written();
    }
}
