package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * How an action ended. Both outcomes carry {@code recordedInput}: what the step's record keeps as its input (the
 * request as sent, with every value that came from a secret shown as {@code "***"}).
 */
public sealed interface ActionResult permits ActionResult.Succeeded, ActionResult.Failed {
    JsonNode recordedInput();

    record Succeeded(JsonNode output, JsonNode recordedInput) implements ActionResult {
    }

    /**
     * @param retryable  true: the same request may succeed later (connection error, timeout, 429, 5xx); the step
     *                   is retried with the same idempotency key
     * @param retryAfter how long the provider asked us to wait ({@code Retry-After}), or null
     * @param code       a short machine-readable reason ({@code http_404}, Stripe's error code, an SMTP reply code)
     * @param message    for the run's error: safe to show (never a secret)
     */
    record Failed(boolean retryable, Duration retryAfter, String code, String message, JsonNode recordedInput)
            implements ActionResult {
    }
}
