package dev.kickoff.core.testing;

import dev.kickoff.core.port.ActiveRuns;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunLifecycle;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ActiveRuns contract over an {@link InMemoryRunStore}: a run is listed while it is not terminal, or while a
 * test has marked it as a {@link #leftovers leftover} (a terminal run whose entry was not removed). Conditional
 * writes lock the run store, as its claims do, so they are atomic with respect to workers.
 */
public final class InMemoryActiveRuns implements ActiveRuns {
    public static final int PARTITIONS = 4;

    private final InMemoryRunStore runs;
    public final Map<Long, Integer> recoveries = new ConcurrentHashMap<>();
    public final Map<Long, Instant> recoveredAt = new ConcurrentHashMap<>();
    public final Set<Long> leftovers = ConcurrentHashMap.newKeySet();

    public InMemoryActiveRuns(InMemoryRunStore runs) {
        this.runs = runs;
    }

    @Override
    public int partitions() {
        return PARTITIONS;
    }

    private boolean listed(Run run) {
        return !run.status().terminal() || leftovers.contains(run.id());
    }

    private static String position(Run run) {
        return run.createdAt() + "#" + String.format("%016d", run.id());
    }

    @Override
    public Page page(int partition, Instant createdBefore, String after, int limit) {
        List<Run> all;
        synchronized (runs) {
            all = runs.runs.values().stream()
                    .filter(r -> Math.floorMod(r.id(), PARTITIONS) == partition && listed(r)
                            && r.createdAt().isBefore(createdBefore))
                    .filter(r -> after == null || position(r).compareTo(after) > 0)
                    .sorted(Comparator.comparing(InMemoryActiveRuns::position))
                    .toList();
        }
        List<Entry> entries = all.stream().limit(limit).map(r -> new Entry(r.id(), position(r))).toList();
        return new Page(entries, all.size() > limit);
    }

    @Override
    public Optional<Snapshot> read(long runId) {
        synchronized (runs) {
            return runs.find(runId).map(r -> new Snapshot(r.id(), r.orgId(), r.status(), r.createdAt(), r.updatedAt(),
                    r.leaseUntil(), recoveries.getOrDefault(r.id(), 0), recoveredAt.get(r.id()), listed(r)));
        }
    }

    @Override
    public boolean recordRecovery(Snapshot seen, Instant at) {
        synchronized (runs) {
            Optional<Snapshot> now = read(seen.runId());
            if (now.isEmpty() || now.get().status() != seen.status()
                    || !java.util.Objects.equals(now.get().updatedAt(), seen.updatedAt())
                    || !java.util.Objects.equals(now.get().leaseUntil(), seen.leaseUntil())
                    || now.get().recoveries() != seen.recoveries()) {
                return false;
            }
            if (InMemoryRunStore.row(RunLifecycle.Event.RECOVER, runs.runs.get(seen.runId()),
                    guard -> guard == RunLifecycle.Guard.QUIET).isEmpty()) {
                return false;
            }
            recoveries.put(seen.runId(), seen.recoveries() + 1);
            recoveredAt.put(seen.runId(), at);
            return true;
        }
    }

    @Override
    public boolean unlist(long runId) {
        synchronized (runs) {
            Optional<Run> run = runs.find(runId);
            return run.isPresent() && InMemoryRunStore.row(RunLifecycle.Event.UNLIST, run.get(),
                    guard -> guard == RunLifecycle.Guard.LISTED && leftovers.contains(runId)).isPresent()
                    && leftovers.remove(runId);
        }
    }

    /** For tests that want a run stuck in a given state. */
    public void put(Run run) {
        synchronized (runs) {
            runs.runs.put(run.id(), run);
        }
    }
}
