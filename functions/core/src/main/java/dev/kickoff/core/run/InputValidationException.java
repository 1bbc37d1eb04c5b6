package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.schema.SchemaFinding;

import java.util.List;

/**
 * A run's input does not satisfy its workflow's {@code inputSchema}; nothing was created. Carries each finding
 * so every API shape can word it its own way, and the input as checked (defaults applied, unknown fields removed).
 */
public final class InputValidationException extends KickoffException {
    public static final String MESSAGE = "Input validation failed";

    private final List<SchemaFinding> findings;
    private final JsonNode checkedInput;

    public InputValidationException(List<SchemaFinding> findings, JsonNode checkedInput) {
        super(Reason.INPUT_VALIDATION_FAILED, MESSAGE,
                findings.stream().map(f -> f.violation().toFieldError()).toList());
        this.findings = List.copyOf(findings);
        this.checkedInput = checkedInput;
    }

    public List<SchemaFinding> findings() {
        return findings;
    }

    public JsonNode checkedInput() {
        return checkedInput;
    }
}
