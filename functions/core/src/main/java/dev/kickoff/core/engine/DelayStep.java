package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Template;
import dev.kickoff.core.workflow.StepDefinition;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code delay}: waits {@code config.duration} (ISO-8601, e.g. {@code PT2S}, {@code P3D}) from when the step first
 * started, or until {@code config.until} (RFC 3339, may be a template). The run is {@code suspended} while it waits:
 * no Lambda holds the wait and nothing polls; a wait of up to 15 minutes wakes on a held-back message, a longer one
 * on the sweeper's pass over the wake-up index (see docs/run-lifecycle.md). Output: {@code {"waited_until": …}}.
 */
public final class DelayStep implements StepType {
    /** The longest wait: a run keeps its item (and its input) while it waits. */
    public static final Duration MAX_WAIT = Duration.ofDays(365);

    @Override
    public String name() {
        return "delay";
    }

    /** Not pure: it suspends the run (a write), so a run with a delay goes through the claim. */
    @Override
    public boolean pure() {
        return false;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        JsonNode config = step.config() == null ? Json.object() : step.config();
        JsonNode duration = config.get("duration");
        JsonNode until = config.get("until");
        if (Json.isNull(duration) == Json.isNull(until)) {
            problems.add(new FieldError(pointer + "/config", "a delay needs config.duration or config.until, not both"));
        }
        if (!Json.isNull(duration)) {
            Duration d = duration.isTextual() ? parseDuration(duration.textValue()) : null;
            if (d == null || d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
                problems.add(new FieldError(pointer + "/config/duration",
                        "duration must be an ISO-8601 duration of at most a year, e.g. \"PT2S\" or \"P3D\""));
            }
        }
        if (!Json.isNull(until) && (!until.isTextual()
                || (!Template.isTemplated(until.textValue()) && parseInstant(until.textValue()) == null))) {
            problems.add(new FieldError(pointer + "/config/until",
                    "until must be an RFC 3339 time such as \"2026-12-24T18:00:00Z\", or a template"));
        }
        config.fieldNames().forEachRemaining(key -> {
            if (!key.equals("duration") && !key.equals("until")) {
                problems.add(new FieldError(pointer + "/config/" + key, "unknown delay field; allowed: duration, until"));
            }
        });
        return problems;
    }

    @Override
    public StepResult execute(StepInvocation invocation) {
        JsonNode config = invocation.config() == null ? Json.object() : invocation.config();
        Instant now = invocation.now() == null ? Instant.now() : invocation.now();
        Instant started = invocation.startedAt() == null ? now : invocation.startedAt();
        Instant until;
        if (!Json.isNull(config.get("duration"))) {
            Duration d = parseDuration(config.get("duration").asText());
            if (d == null) {
                return StepResult.failed("duration '" + config.get("duration").asText() + "' is not an ISO-8601 duration");
            }
            until = started.plus(d);
        } else {
            until = parseInstant(config.path("until").asText(""));
            if (until == null) {
                return StepResult.failed("until '" + config.path("until").asText("") + "' is not an RFC 3339 time");
            }
            if (until.isAfter(now.plus(MAX_WAIT))) {
                return StepResult.failed("until is more than a year away");
            }
        }
        if (!now.isBefore(until)) {
            return StepResult.completed(Json.object().put("waited_until", until.toString()));
        }
        return new StepResult.Suspend(until);
    }

    static Duration parseDuration(String text) {
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
