package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;

/**
 * What a step came to. Sealed, so the engine's switch over it is exhaustive and every kind is a row of the run's
 * lifecycle: a completed or skipped step lets the run go on; a failed one fails the run (unless the step's
 * {@code retry} or {@code continueOnError} says otherwise); a step that asks to be retried later makes the run yield
 * and come back then ({@code DEFER}: no Lambda waits).
 */
public sealed interface StepResult {
    static StepResult completed(JsonNode output) {
        return new Completed(output);
    }

    static StepResult failed(String message) {
        return new Failed(dev.kickoff.core.run.RunError.STEP_FAILED, message, false, null);
    }

    /**
     * The step did its work; {@code output} is what later steps see as {@code steps.<id>.output}.
     *
     * @param recordedInput    what the step's record keeps as its input instead of its resolved config (a request as
     *                         sent, with values that came from secrets as {@code "***"}); null: the resolved config
     * @param outboundRequests requests this run of the step sent to other systems (HTTP, SMTP), for metering
     */
    record Completed(JsonNode output, JsonNode recordedInput, int outboundRequests) implements StepResult {
        public Completed(JsonNode output) {
            this(output, null, 0);
        }
    }

    /**
     * The step failed.
     *
     * @param retryable  whether trying again may succeed (a 503, a timeout), so the step's {@code retry} applies
     * @param retryAfter the soonest a retry is welcome (an HTTP {@code Retry-After}); null: the backoff decides
     * @param recordedInput    as {@link Completed#recordedInput()}
     * @param outboundRequests as {@link Completed#outboundRequests()}
     */
    record Failed(String code, String message, boolean retryable, Duration retryAfter, JsonNode recordedInput,
                  int outboundRequests) implements StepResult {
        public Failed(String code, String message, boolean retryable, Duration retryAfter) {
            this(code, message, retryable, retryAfter, null, 0);
        }
    }

    /** The step asks to be run again at {@code at} (not before): the run yields until then. */
    record RetryLater(Instant at, String reason) implements StepResult {
    }

    /**
     * The step waits until {@code until} (a {@code delay}): the run is {@code suspended}, no Lambda holds the wait, and
     * the step is run again when the run wakes (it then sees {@link StepInvocation#waitingSince()}).
     */
    record Suspend(Instant until) implements StepResult {
    }

    /** The step did nothing, on purpose: it is recorded {@code skipped} and the run goes on. */
    record Skipped(String reason) implements StepResult {
    }
}
