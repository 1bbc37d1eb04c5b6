package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request to start a run, whatever API shape it arrived in.
 *
 * @param input          the run's input object (null: an empty object)
 * @param connectionId   optional connection the steps should use (seed 003)
 * @param idempotencyKey optional key that makes retries of this request return the run it first created
 *                       (seed 003's {@code idempotencyKey}, or the {@code Idempotency-Key} header)
 */
public record RunRequest(JsonNode input, String connectionId, String idempotencyKey) {
    public RunRequest(JsonNode input, String connectionId) {
        this(input, connectionId, null);
    }
}
