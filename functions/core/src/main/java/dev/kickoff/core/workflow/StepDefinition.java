package dev.kickoff.core.workflow;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * One step as declared in a definition: {@code {id, type, name, config}} (plus {@code action} where a type uses it),
 * and what the engine does around any step: {@code if} (a template; falsy: the step is recorded {@code skipped} and the
 * run goes on), {@code retry} ({@code {"maxAttempts": 3, "backoff": "PT1S"}}: a retryable failure is tried again
 * after an exponential backoff with jitter, the run yielding in between; when a step names none, its type's
 * {@link dev.kickoff.core.engine.StepType#defaultRetry()}), {@code continueOnError} (a failure is recorded and the
 * run goes on).
 */
public record StepDefinition(String id, String type, String name, JsonNode config, String action, JsonNode condition,
                             Retry retry, boolean continueOnError) {
    public StepDefinition(String id, String type, String name, JsonNode config, String action) {
        this(id, type, name, config, action, null, null, false);
    }

    /**
     * @param maxAttempts runs of the step at most, the first included (1 to 10; 1: no retry)
     * @param backoff     the wait before the second attempt; each later one waits twice as long, with jitter
     */
    public record Retry(int maxAttempts, Duration backoff) {
        public static final int MAX_ATTEMPTS = 10;
        /** The longest one wait between attempts: a run's message can be held back 15 minutes at most. */
        public static final Duration MAX_BACKOFF = Duration.ofMinutes(15);
    }
}
