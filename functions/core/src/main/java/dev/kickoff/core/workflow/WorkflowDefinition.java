package dev.kickoff.core.workflow;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A validated workflow definition (the seed 003 "Complete Example" document plus {@code kind}). {@code document}
 * is the definition exactly as accepted, returned verbatim by the API; the other fields are its parsed view.
 * {@code timeout} (null: none) fails a run that has not finished that long after it was created.
 */
public record WorkflowDefinition(
        JsonNode document,
        String name,
        String description,
        WorkflowKind kind,
        String triggerType,
        JsonNode inputSchema,
        List<StepDefinition> steps,
        JsonNode output,
        JsonNode attributeSchema,
        List<String> statuses,
        java.time.Duration timeout) {

    /** The statuses every case workflow has, whatever it declares. */
    public static final List<String> DEFAULT_CASE_STATUSES = List.of("Open", "Closed", "Error");
}
