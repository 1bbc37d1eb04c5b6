package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * What happened to one step of one run: its resolved config ({@code input}), its output or error, and when.
 * {@code status} is {@code completed}, {@code failed}, {@code skipped} (its {@code if} was falsy), or
 * {@code retrying} (it failed and its {@code retry} will run it again: the run is pending until then).
 *
 * @param attempts         how many times the step ran (1 unless its {@code retry} ran it again)
 * @param outboundRequests requests the step sent to other systems (HTTP, SMTP), over all its attempts the run
 *                         recorded; 0 for steps that send none
 */
public record StepRecord(
        String id,
        String type,
        String status,
        JsonNode input,
        JsonNode output,
        String error,
        Instant startedAt,
        Instant completedAt,
        int attempts,
        int outboundRequests) {

    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
    public static final String RETRYING = "retrying";
    /** A {@code delay} step the run is suspended in: {@code startedAt} is when the wait began. */
    public static final String WAITING = "waiting";

    public StepRecord(String id, String type, String status, JsonNode input, JsonNode output, String error,
                      Instant startedAt, Instant completedAt, int attempts) {
        this(id, type, status, input, output, error, startedAt, completedAt, attempts, 0);
    }

    public StepRecord(String id, String type, String status, JsonNode input, JsonNode output, String error,
                      Instant startedAt, Instant completedAt) {
        this(id, type, status, input, output, error, startedAt, completedAt, 1, 0);
    }

    /** Done for good: a later attempt of the run does not run it again. */
    public boolean completed() {
        return COMPLETED.equals(status) || SKIPPED.equals(status);
    }

    /** Failed, with the run going on regardless ({@code continueOnError}). */
    public boolean failed() {
        return FAILED.equals(status);
    }
}
