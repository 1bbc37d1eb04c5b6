package dev.kickoff.core.testing;

import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

public final class InMemoryWorkflowStore implements WorkflowStore {
    private final Map<String, Workflow> heads = new ConcurrentHashMap<>();
    private final Map<String, WorkflowVersion> versions = new ConcurrentHashMap<>();
    public final AtomicInteger versionReads = new AtomicInteger();

    private static String key(long org, long wf) {
        return org + ":" + wf;
    }

    @Override
    public synchronized void create(Workflow head, WorkflowVersion first) {
        if (heads.putIfAbsent(key(head.orgId(), head.id()), head) != null) {
            throw new DuplicateIdException("workflow " + head.id());
        }
        versions.put(key(head.orgId(), head.id()) + ":1", first);
    }

    @Override
    public Optional<Workflow> find(long orgId, long workflowId) {
        return Optional.ofNullable(heads.get(key(orgId, workflowId)));
    }

    @Override
    public Optional<WorkflowVersion> findVersion(long orgId, long workflowId, int version) {
        versionReads.incrementAndGet();
        return Optional.ofNullable(versions.get(key(orgId, workflowId) + ":" + version));
    }

    @Override
    public synchronized boolean addVersion(long orgId, WorkflowVersion version, String name, Instant at) {
        Workflow head = heads.get(key(orgId, version.workflowId()));
        if (head == null || head.latestVersion() != version.version() - 1) {
            return false;
        }
        versions.put(key(orgId, version.workflowId()) + ":" + version.version(), version);
        heads.put(key(orgId, head.id()), new Workflow(head.id(), orgId, name, head.kind(), version.version(),
                head.publishedVersion(), head.createdAt(), at));
        return true;
    }

    @Override
    public synchronized boolean publish(long orgId, long workflowId, int version, Instant at) {
        Workflow head = heads.get(key(orgId, workflowId));
        if (head == null) {
            return false;
        }
        heads.put(key(orgId, workflowId), new Workflow(head.id(), orgId, head.name(), head.kind(),
                head.latestVersion(), version, head.createdAt(), at));
        return true;
    }

    @Override
    public Page<Workflow> list(long orgId, String cursor, int limit) {
        List<Workflow> all = heads.values().stream().filter(w -> w.orgId() == orgId)
                .sorted(Comparator.comparingLong(Workflow::id).reversed()).limit(limit).toList();
        return new Page<>(all, null);
    }
}
