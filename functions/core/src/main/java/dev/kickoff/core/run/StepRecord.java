package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * What happened to one step of one run: its resolved config ({@code input}), its output or error, and when.
 * {@code status} is {@code completed} or {@code failed}.
 */
public record StepRecord(
        String id,
        String type,
        String status,
        JsonNode input,
        JsonNode output,
        String error,
        Instant startedAt,
        Instant completedAt) {

    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    public boolean completed() {
        return COMPLETED.equals(status);
    }
}
