package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.OpenedConnection;

import java.time.Duration;

/**
 * @param config          the step's config, templates resolved
 * @param connection      the connection it uses, secrets opened; null when it uses none
 * @param idempotencyKey  {@code <run id>-<step id>}: the same on every retry and redelivery of the step
 * @param timeLeft        what is left of the invocation: no request waits longer
 * @param continueOnError true: an HTTP 3xx/4xx answer is the step's output, not its failure
 */
public record ActionRequest(JsonNode config, OpenedConnection connection, String idempotencyKey, Duration timeLeft,
                            boolean continueOnError) {
    /** The key every outbound request of one step carries, unchanged across retries and redeliveries. */
    public static String idempotencyKey(long runId, String stepId) {
        return runId + "-" + stepId;
    }

    @Override
    public String toString() {
        return "ActionRequest[" + idempotencyKey + "]";
    }
}
