package dev.kickoff.core.testing;

import dev.kickoff.core.cases.Case;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CaseStore contract in memory, sharing its runs with an {@link InMemoryRunStore} so that the writes that
 * change a case and its run together are atomic here too (one lock). {@link #history} keeps every status a case
 * has had; {@link #afterWrite} lets a test act right after a set_case write lands (e.g. kill the worker).
 */
public final class InMemoryCaseStore implements CaseStore {
    public final Map<Long, Case> cases = new HashMap<>();
    public final Map<Long, List<String>> history = new HashMap<>();
    private final Map<Long, String> lastWrite = new HashMap<>();
    private final InMemoryRunStore runs;
    public volatile Runnable afterWrite = () -> { };

    public InMemoryCaseStore(InMemoryRunStore runs) {
        this.runs = runs;
    }

    @Override
    public void create(Case kase, Run run) {
        synchronized (runs) {
            if (cases.containsKey(kase.id()) || runs.runs.containsKey(run.id())) {
                throw new DuplicateIdException("case " + kase.id());
            }
            cases.put(kase.id(), kase);
            runs.create(run);
            record(kase);
        }
    }

    @Override
    public Optional<Case> find(long caseId) {
        synchronized (runs) {
            return Optional.ofNullable(cases.get(caseId));
        }
    }

    @Override
    public Page list(long orgId, long workflowId, String status, String cursor, int limit) {
        synchronized (runs) {
            List<Case> all = new ArrayList<>(cases.values().stream()
                    .filter(c -> c.orgId() == orgId && c.workflowId() == workflowId && c.status().equals(status))
                    .sorted(Comparator.comparing(Case::createdAt).thenComparing(Case::id).reversed()).toList());
            int from = cursor == null ? 0 : Integer.parseInt(cursor);
            int to = Math.min(all.size(), from + limit);
            return new Page(all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
        }
    }

    @Override
    public WriteResult write(Case updated, Run leaseHolder, String writeKey) {
        WriteResult result;
        synchronized (runs) {
            Run run = runs.runs.get(leaseHolder.id());
            if (run == null || run.status() != RunStatus.IN_PROGRESS || !leaseHolder.leaseOwner().equals(run.leaseOwner())) {
                return WriteResult.LEASE_LOST;
            }
            if (!cases.containsKey(updated.id())) {
                return WriteResult.CASE_MISSING;
            }
            if (writeKey.equals(lastWrite.get(updated.id()))) {
                return WriteResult.ALREADY_WRITTEN;
            }
            cases.put(updated.id(), updated);
            lastWrite.put(updated.id(), writeKey);
            record(updated);
            result = WriteResult.WRITTEN;
        }
        afterWrite.run();
        return result;
    }

    @Override
    public RunStore.WriteResult finishFailedRun(Run failed) {
        synchronized (runs) {
            RunStore.WriteResult result = runs.finish(failed);
            if (result.written()) {
                park(failed.caseId(), failed.completedAt());
            }
            return result;
        }
    }

    @Override
    public RunStore.WriteResult cancelRun(Run run, dev.kickoff.core.run.RunError error, Instant at) {
        synchronized (runs) {
            RunStore.WriteResult result = runs.cancel(run.id(), error, at);
            if (result.written()) {
                park(run.caseId(), at);
            }
            return result;
        }
    }

    private void park(long caseId, Instant at) {
        Case c = cases.get(caseId);
        if (c != null) {
            Case parked = c.with(Case.ERROR, c.attributes(), at);
            cases.put(caseId, parked);
            record(parked);
        }
    }

    private void record(Case c) {
        history.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c.status());
    }
}
