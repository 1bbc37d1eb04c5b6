package dev.kickoff.core.workflow;

import dev.kickoff.core.port.WorkflowStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Workflow versions are immutable, so a Lambda instance may keep the ones it has read for as long as it lives;
 * this saves a read on every run after the first of each version. Bounded, least recently used first out.
 */
public final class VersionCache {
    private final WorkflowStore store;
    private final Map<String, WorkflowVersion> entries;

    public VersionCache(WorkflowStore store, int capacity) {
        this.store = store;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, WorkflowVersion> eldest) {
                return size() > capacity;
            }
        };
    }

    public Optional<WorkflowVersion> get(long orgId, long workflowId, int version) {
        String key = orgId + ":" + workflowId + ":" + version;
        synchronized (entries) {
            WorkflowVersion cached = entries.get(key);
            if (cached != null) {
                return Optional.of(cached);
            }
        }
        Optional<WorkflowVersion> loaded = store.findVersion(orgId, workflowId, version);
        loaded.ifPresent(v -> {
            synchronized (entries) {
                entries.put(key, v);
            }
        });
        return loaded;
    }
}
