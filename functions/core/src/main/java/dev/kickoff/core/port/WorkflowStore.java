package dev.kickoff.core.port;

import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Workflow heads and their immutable versions, per organization. */
public interface WorkflowStore {
    /** Stores a new workflow with its first version; {@link DuplicateIdException} if the ID is taken. */
    void create(Workflow head, WorkflowVersion first);

    Optional<Workflow> find(long orgId, long workflowId);

    Optional<WorkflowVersion> findVersion(long orgId, long workflowId, int version);

    /**
     * Saves {@code version} as the new latest version, if the head's latest version is still
     * {@code version.version() - 1}; false when another edit got there first.
     */
    boolean addVersion(long orgId, WorkflowVersion version, String name, Instant at);

    /** Marks {@code version} as the published one; false when the workflow or version does not exist. */
    boolean publish(long orgId, long workflowId, int version, Instant at);

    /** One page of an organization's workflows, newest first. */
    Page<Workflow> list(long orgId, String cursor, int limit);

    record Page<T>(List<T> items, String nextCursor) {
    }
}
