package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.template.Template;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.WorkflowDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code wait_for_signal}: the run waits until a client sends the signal {@code config.signal}
 * ({@code POST …/runs/{run_id}/signals {"signal": "approved", "payload": {…}}}); the payload becomes the step's output.
 * A signal sent before the run got here was kept on the run and is taken at once. The run is {@code suspended} while it
 * waits: no Lambda holds the wait, nothing polls it. {@code config.timeout} (ISO-8601, counted from when the step first
 * started) bounds the wait: then {@code config.on_timeout} decides, {@code fail} (the default: the step fails with
 * code {@code signal_timeout}) or {@code continue} (the step completes with output {@code null}). A signal and the
 * timeout racing each other end in exactly one of them: the claim that wakes the run at its timeout and the signal's
 * write are both conditional on the run being suspended waiting (see docs/run-lifecycle.md).
 */
public final class WaitForSignalStep implements StepType {
    public static final String NAME = "wait_for_signal";
    /** What a run fails with when its signal did not come in time ({@code on_timeout: fail}). */
    public static final String TIMED_OUT = "signal_timeout";
    /** Signal names: letters, digits and {@code _ . : -}, as connection IDs; safe in a log line and an expression. */
    public static final Pattern SIGNAL_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    /** The longest wait for a signal: a run keeps its item while it waits. */
    public static final Duration MAX_TIMEOUT = DelayStep.MAX_WAIT;

    @Override
    public String name() {
        return NAME;
    }

    /** Not pure: it suspends the run and takes signals off it (writes), so a run with one goes through the claim. */
    @Override
    public boolean pure() {
        return false;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        JsonNode config = step.config() == null ? Json.object() : step.config();
        JsonNode signal = config.get("signal");
        // A literal, never a template: a client's signal for a name no step of the definition waits for is refused,
        // which needs the names without running anything.
        if (signal == null || !signal.isTextual() || !SIGNAL_NAME.matcher(signal.textValue()).matches()) {
            problems.add(new FieldError(pointer + "/config/signal", "signal must be a name of 1 to 64 letters, digits,"
                    + " '_', '.', ':' or '-' (not a template), e.g. \"approved\""));
        }
        JsonNode timeout = config.get("timeout");
        if (!Json.isNull(timeout)) {
            Duration d = timeout.isTextual() && !Template.isTemplated(timeout.textValue())
                    ? DelayStep.parseDuration(timeout.textValue()) : null;
            if (d == null || d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
                problems.add(new FieldError(pointer + "/config/timeout",
                        "timeout must be an ISO-8601 duration from PT1S to P365D, e.g. \"P3D\""));
            }
        }
        JsonNode onTimeout = config.get("on_timeout");
        if (!Json.isNull(onTimeout) && !(onTimeout.isTextual()
                && (onTimeout.textValue().equals("fail") || onTimeout.textValue().equals("continue")))) {
            problems.add(new FieldError(pointer + "/config/on_timeout", "on_timeout must be \"fail\" or \"continue\""));
        }
        config.fieldNames().forEachRemaining(key -> {
            if (!key.equals("signal") && !key.equals("timeout") && !key.equals("on_timeout")) {
                problems.add(new FieldError(pointer + "/config/" + key,
                        "unknown wait_for_signal field; allowed: signal, timeout, on_timeout"));
            }
        });
        return problems;
    }

    @Override
    public StepResult execute(StepInvocation invocation) {
        JsonNode config = invocation.config() == null ? Json.object() : invocation.config();
        String name = config.path("signal").asText("");
        RunSignal kept = invocation.run().signals().first(name);
        if (kept != null) {
            return new StepResult.Received(kept);
        }
        Instant now = invocation.now() == null ? Instant.now() : invocation.now();
        Instant started = invocation.startedAt() == null ? now : invocation.startedAt();
        Duration timeout = Json.isNull(config.get("timeout")) ? null : DelayStep.parseDuration(config.get("timeout").asText());
        Instant until = timeout == null ? null : started.plus(timeout);
        if (until != null && !now.isBefore(until)) {
            if ("continue".equals(config.path("on_timeout").asText("fail"))) {
                return StepResult.completed(null);
            }
            return new StepResult.Failed(TIMED_OUT, "no signal '" + name + "' came within " + timeout, false, null);
        }
        return new StepResult.AwaitSignal(name, until);
    }

    /** The signal names a definition's {@code wait_for_signal} steps wait for: the only ones a run of it takes. */
    public static Set<String> awaitedSignals(WorkflowDefinition definition) {
        Set<String> names = new LinkedHashSet<>();
        for (StepDefinition step : definition.steps()) {
            if (NAME.equals(step.type()) && step.config() != null && step.config().path("signal").isTextual()) {
                names.add(step.config().get("signal").textValue());
            }
        }
        return names;
    }
}
