package dev.kickoff.core.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.action.Action;
import dev.kickoff.core.action.ActionRequest;
import dev.kickoff.core.action.ActionResult;
import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.connection.ConnectionIds;
import dev.kickoff.core.engine.StepInvocation;
import dev.kickoff.core.engine.StepResult;
import dev.kickoff.core.engine.StepType;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.template.Template;
import dev.kickoff.core.workflow.StepDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the steps that act ({@code http}, {@code action}, {@code email}) share: each is a thin {@link StepType} over
 * the {@link ActionRunner}, which picks the connection, performs the action through the outbound ports and sweeps
 * secrets out of what is recorded. No I/O of its own.
 *
 * <ul>
 *   <li><b>Impure</b>: the engine checkpoints after the step, so a recorded result is never sent again. Between the
 *       request and that checkpoint a crash repeats the request on the run's next delivery, with the same
 *       {@code Idempotency-Key: <run id>-<step id>} (at least once, deduplicated by targets that honour the key).</li>
 *   <li><b>Retry</b> by default {@code {"maxAttempts": 3, "backoff": "PT1S"}} on connection errors, timeouts, 429
 *       (at least its {@code Retry-After}) and 5xx; the engine defers the run between attempts (no Lambda
 *       waits).</li>
 *   <li><b>Time</b>: a request never waits longer than the invocation has left; with less than
 *       {@link #MIN_TIME_LEFT} left the step sends nothing and the run goes on in a fresh invocation.</li>
 *   <li><b>Recorded</b>: the request as sent (values from secrets as {@code "***"}), not the resolved config; the
 *       number of requests sent ({@code outbound_requests}).</li>
 * </ul>
 */
public abstract class ActingStep implements StepType {
    /** Seed 003's and the default for the steps that act: three attempts, 1 s, 2 s (with jitter). */
    public static final StepDefinition.Retry DEFAULT_RETRY = new StepDefinition.Retry(3, Duration.ofSeconds(1));
    /** Below this, a request is not started in this invocation: the run yields and resumes in a fresh one. */
    public static final Duration MIN_TIME_LEFT = Duration.ofSeconds(1);
    /**
     * The largest output a step keeps: outputs live in the run's one DynamoDB item (400 KB, of which the engine lets a
     * run's state take 300 KB), so a larger answer fails the step naming this limit instead of failing every write.
     */
    public static final int MAX_OUTPUT_BYTES = 256 * 1024;

    private final Supplier<ActionRunner> runner;

    /** @param runner built on first use: the API only validates definitions, and needs no outbound client for that */
    protected ActingStep(Supplier<ActionRunner> runner) {
        this.runner = runner;
    }

    @Override
    public final boolean pure() {
        return false;
    }

    @Override
    public final StepDefinition.Retry defaultRetry() {
        return DEFAULT_RETRY;
    }

    /** The action this step performs ({@code http}, {@code stripe.createInvoice}, {@code email}, ...), or null. */
    protected abstract String actionName(StepDefinition step);

    protected ActionRunner runner() {
        return runner.get();
    }

    /** The checks every acting step makes, then its action's own on {@code config}. */
    protected List<FieldError> validateAction(StepDefinition step, String pointer, Action action) {
        List<FieldError> problems = new ArrayList<>();
        JsonNode config = step.config() == null ? Json.object() : step.config();
        JsonNode connection = config.get("connection");
        if (connection != null && !connection.isNull()) {
            if (!connection.isTextual()) {
                problems.add(new FieldError(pointer + "/config/connection", "connection must be a connection ID (conn_…)"));
            } else if (!Template.isTemplated(connection.textValue())
                    && !ConnectionIds.looksLikeConnection(connection.textValue())) {
                problems.add(new FieldError(pointer + "/config/connection", "'" + shorten(connection.textValue())
                        + "' is not a connection ID (conn_…)"));
            }
        }
        problems.addAll(action.validate(config, pointer + "/config"));
        return problems;
    }

    @Override
    public StepResult execute(StepInvocation invocation) {
        Run run = invocation.run();
        Duration left = invocation.timeLeft();
        if (left != null && left.compareTo(MIN_TIME_LEFT) < 0) {
            // Nothing sent: a request squeezed into the last moment would time out and spend an attempt for nothing.
            Instant now = invocation.now() == null ? Instant.now() : invocation.now();
            return new StepResult.RetryLater(now, "too little of this invocation was left to send the request;"
                    + " it is sent from a fresh one");
        }
        String key = ActionRequest.idempotencyKey(run.id(), invocation.step().id());
        OutboundCount.Counted<ActionResult> counted = OutboundCount.during(() -> runner().run(
                actionName(invocation.step()), invocation.config(), run.orgId(), run.connectionId(), key, left,
                invocation.step().continueOnError()));
        int sent = counted.requests();
        return switch (counted.value()) {
            case ActionResult.Succeeded s -> {
                int size = Json.sizeOf(s.output());
                if (size > MAX_OUTPUT_BYTES) {
                    yield new StepResult.Failed("output_too_large", "the answer is " + size + " bytes as JSON; a step's"
                            + " output is kept in the run, at most " + MAX_OUTPUT_BYTES + " bytes", false, null,
                            s.recordedInput(), sent);
                }
                yield new StepResult.Completed(s.output(), s.recordedInput(), sent);
            }
            case ActionResult.Failed f -> new StepResult.Failed(f.code(), f.message(), f.retryable(), f.retryAfter(),
                    f.recordedInput(), sent);
        };
    }

    static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
