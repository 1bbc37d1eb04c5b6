package dev.kickoff.core.workflow;

import java.time.Instant;

/**
 * A workflow's head: its latest version (the draft being edited) and the version runs use once published.
 * Versions are immutable; editing saves a new one.
 */
public record Workflow(
        long id,
        long orgId,
        String name,
        WorkflowKind kind,
        int latestVersion,
        Integer publishedVersion,
        Instant createdAt,
        Instant updatedAt) {

    public boolean published() {
        return publishedVersion != null;
    }

    /** {@code published} once any version is published, else {@code draft}. */
    public String status() {
        return published() ? "published" : "draft";
    }
}
