package dev.kickoff.core.cases;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A case of a direct case workflow (seed 001): a subject, attributes validated against the workflow's attribute
 * schema, and a status the workflow's automation moves through the statuses declared on the workflow.
 *
 * @param runId the automation run started when the case was created
 */
public record Case(
        long id,
        long orgId,
        long workflowId,
        String subject,
        String status,
        JsonNode attributes,
        Instant createdAt,
        Instant updatedAt,
        Long runId) {

    /** Every case starts here. */
    public static final String OPEN = "Open";
    /** The workflow is done with the case. */
    public static final String CLOSED = "Closed";
    /** The case's run failed: the workflow parked it. */
    public static final String ERROR = "Error";

    /** The same case with a new status and attributes, changed at {@code at}. */
    public Case with(String newStatus, JsonNode newAttributes, Instant at) {
        return new Case(id, orgId, workflowId, subject, newStatus, newAttributes, createdAt, at, runId);
    }
}
