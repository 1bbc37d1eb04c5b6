package dev.kickoff.core.action;

import java.time.Duration;

/** Inside an action: stop here and fail with this classification (turned into {@link ActionResult.Failed}). */
final class ActionFailure extends RuntimeException {
    final boolean retryable;
    final Duration retryAfter;
    final String code;

    private ActionFailure(boolean retryable, Duration retryAfter, String code, String message) {
        super(message, null, false, false);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.code = code;
    }

    static ActionFailure permanent(String code, String message) {
        return new ActionFailure(false, null, code, message);
    }

    static ActionFailure retryable(String code, String message, Duration retryAfter) {
        return new ActionFailure(true, retryAfter, code, message);
    }

    ActionResult.Failed result(com.fasterxml.jackson.databind.JsonNode recordedInput) {
        return new ActionResult.Failed(retryable, retryAfter, code, getMessage(), recordedInput);
    }
}
