package dev.kickoff.core.testing;

import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The RunStore contract in memory, for fast engine tests; the DynamoDB adapter is tested against DynamoDB Local. */
public class InMemoryRunStore implements RunStore {
    public final Map<Long, Run> runs = new ConcurrentHashMap<>();
    /** Runs listed among the active runs (InMemoryActiveRuns keeps its own listing for sweeper tests). */
    public final java.util.Set<Long> listed = ConcurrentHashMap.newKeySet();

    @Override
    public void create(Run run) {
        if (runs.putIfAbsent(run.id(), run) != null) {
            throw new DuplicateIdException("run " + run.id());
        }
        listed.add(run.id());
    }

    @Override
    public void createQueued(Run run) {
        if (runs.putIfAbsent(run.id(), run) != null) {
            throw new DuplicateIdException("run " + run.id());
        }
    }

    @Override
    public synchronized boolean watch(long runId, Instant at) {
        Run run = runs.get(runId);
        if (run == null || run.status().terminal() || run.status() == RunStatus.SUSPENDED) {
            return false;
        }
        return listed.add(runId);
    }

    @Override
    public Optional<Run> find(long runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public synchronized ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil) {
        Run run = runs.get(runId);
        if (run == null) {
            return new ClaimResult.Missing();
        }
        if (run.status().terminal()) {
            return new ClaimResult.Finished(run);
        }
        if (run.status() == RunStatus.SUSPENDED) {
            return new ClaimResult.NotRunnable(run);
        }
        if (run.status() == RunStatus.IN_PROGRESS && run.leaseUntil().isAfter(now)) {
            return new ClaimResult.Busy(run);
        }
        Run claimed = run.toBuilder().status(RunStatus.IN_PROGRESS).lease(owner, leaseUntil)
                .attempts(run.attempts() + 1).startedAt(run.startedAt() == null ? now : run.startedAt())
                .updatedAt(now).build();
        runs.put(runId, claimed);
        return new ClaimResult.Claimed(claimed);
    }

    @Override
    public synchronized boolean checkpoint(Run run) {
        Run current = runs.get(run.id());
        if (current == null || current.status() != RunStatus.IN_PROGRESS
                || !run.leaseOwner().equals(current.leaseOwner())) {
            return false;
        }
        runs.put(run.id(), run);
        return true;
    }

    @Override
    public synchronized boolean release(Run run) {
        Run current = runs.get(run.id());
        if (current == null || current.status() != RunStatus.IN_PROGRESS
                || !run.leaseOwner().equals(current.leaseOwner())) {
            return false;
        }
        runs.put(run.id(), current.toBuilder().lease(current.leaseOwner(), Instant.EPOCH).build());
        return true;
    }

    @Override
    public synchronized boolean finish(Run run) {
        if (!checkpoint(run)) {
            return false;
        }
        runs.put(run.id(), run.toBuilder().lease(null, null).build());
        return true;
    }

    @Override
    public synchronized boolean finishPending(Run run) {
        Run current = runs.get(run.id());
        if (current == null || current.status() != RunStatus.PENDING) {
            return false;
        }
        runs.put(run.id(), run.toBuilder().lease(null, null).build());
        return true;
    }

    @Override
    public synchronized boolean abandon(long runId, String error, Instant at) {
        Run current = runs.get(runId);
        if (current == null || current.status() != RunStatus.PENDING) {
            return false;
        }
        runs.put(runId, current.toBuilder().status(RunStatus.FAILED).error(error).completedAt(at).updatedAt(at).build());
        return true;
    }
}
