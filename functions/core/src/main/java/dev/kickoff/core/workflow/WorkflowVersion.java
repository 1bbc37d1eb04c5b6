package dev.kickoff.core.workflow;

import java.time.Instant;

/** One immutable saved version of a workflow's definition. */
public record WorkflowVersion(long workflowId, int version, WorkflowDefinition definition, Instant createdAt) {
}
