package dev.kickoff.core.workflow;

import dev.kickoff.core.id.FreshIds;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.port.WorkflowStore;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Creating, editing (as new versions), publishing and reading workflows. */
public final class WorkflowService {
    public static final int MAX_PAGE = 100;

    private final WorkflowStore store;
    private final WorkflowDefinitions definitions;
    private final IdGenerator ids;
    private final Clock clock;

    public WorkflowService(WorkflowStore store, WorkflowDefinitions definitions, IdGenerator ids, Clock clock) {
        this.store = store;
        this.definitions = definitions;
        this.ids = ids;
        this.clock = clock;
    }

    /** A workflow head with the version a response shows. */
    public record View(Workflow workflow, WorkflowVersion version) {
    }

    public View create(long orgId, JsonNode document) {
        WorkflowDefinition definition = definitions.parse(document);
        Instant now = now();
        return FreshIds.store(() -> {
            long id = ids.next();
            Workflow head = new Workflow(id, orgId, definition.name(), definition.kind(), 1, null, now, now);
            WorkflowVersion first = new WorkflowVersion(id, 1, definition, now);
            store.create(head, first);
            return new View(head, first);
        });
    }

    /** Saves the document as a new draft version; the published version, if any, keeps serving runs. */
    public View update(long orgId, long workflowId, JsonNode document) {
        WorkflowDefinition definition = definitions.parse(document);
        Workflow head = require(orgId, workflowId);
        if (definition.kind() != head.kind()) {
            throw new KickoffException(Reason.INVALID_DEFINITION, "a workflow's kind cannot change (it is "
                    + head.kind().wireName() + "); create a new workflow instead",
                    java.util.List.of(new dev.kickoff.core.error.FieldError("/kind", "kind cannot change")));
        }
        Instant now = now();
        WorkflowVersion next = new WorkflowVersion(workflowId, head.latestVersion() + 1, definition, now);
        if (!store.addVersion(orgId, next, definition.name(), now)) {
            throw new KickoffException(Reason.CONFLICT,
                    "the workflow was changed by another request at the same time; fetch it and retry");
        }
        return get(orgId, workflowId);
    }

    /** Publishes {@code version}, or the latest version when null. */
    public View publish(long orgId, long workflowId, Integer version) {
        Workflow head = require(orgId, workflowId);
        int target = version == null ? head.latestVersion() : version;
        if (target < 1 || target > head.latestVersion()) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "version must be between 1 and " + head.latestVersion());
        }
        if (!store.publish(orgId, workflowId, target, now())) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        return get(orgId, workflowId);
    }

    public View get(long orgId, long workflowId) {
        Workflow head = require(orgId, workflowId);
        WorkflowVersion latest = store.findVersion(orgId, workflowId, head.latestVersion())
                .orElseThrow(() -> new IllegalStateException("workflow " + workflowId + " has no version "
                        + head.latestVersion()));
        return new View(head, latest);
    }

    public WorkflowStore.Page<Workflow> list(long orgId, String cursor, int limit) {
        return store.list(orgId, cursor, Math.max(1, Math.min(limit, MAX_PAGE)));
    }

    private Workflow require(long orgId, long workflowId) {
        if (workflowId <= 0) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        return store.find(orgId, workflowId)
                .orElseThrow(() -> new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found"));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
