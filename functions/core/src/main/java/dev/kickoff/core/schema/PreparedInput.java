package dev.kickoff.core.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * An input after its schema was applied: {@code value} has the schema's defaults filled in and unknown properties
 * removed where the schema closes an object ({@code "additionalProperties": false}); {@code findings} lists what is
 * still wrong with it (empty when it is valid).
 */
public record PreparedInput(JsonNode value, List<SchemaFinding> findings) {
    public PreparedInput {
        findings = List.copyOf(findings);
    }

    public boolean valid() {
        return findings.isEmpty();
    }
}
