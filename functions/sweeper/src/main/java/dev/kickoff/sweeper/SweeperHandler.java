package dev.kickoff.sweeper;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.kickoff.core.engine.DeadLetterIntake;
import dev.kickoff.core.engine.RunSweeper;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.adapters.aws.SqsDeadLetters;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sweeper Lambda ({@code template.yaml}: {@code dev.kickoff.sweeper.SweeperHandler::handleRequest}), invoked by
 * an EventBridge schedule every minute. Each invocation is one bounded {@link RunSweeper#sweep}: it stops starting
 * work a little before the function's timeout, and one that is cut short continues on the next invocation of the
 * same instance. Answers what it did, e.g. {@code {"examined": 3, "requeued": 1, "given_up": 0, ...}}.
 *
 * <p>Configuration ({@code template.yaml}): {@code KICKOFF_SWEEP_GRACE_SECONDS} (120),
 * {@code KICKOFF_SWEEP_MAX_RECOVERIES} (3), {@code KICKOFF_SWEEP_MAX_INTERVAL_SECONDS} (3600),
 * {@code KICKOFF_SWEEP_MAX_RUNS} (2000), {@code KICKOFF_RUNS_DLQ_URL} (the runs' dead-letter queue, drained first
 * by each sweep: see {@link DeadLetterIntake}), plus what every function reads ({@code KICKOFF_RUN_LEASE_SECONDS}).
 */
public class SweeperHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    /** At most this much of the invocation is kept back for the sweep in flight to end cleanly. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(10);

    /** Dead-lettered run messages taken in per sweep at most. */
    static final int MAX_DEAD_LETTERS = 200;

    private final CompositionRoot runtime;
    private final RunSweeper sweeper;
    /** Null when the function has no dead-letter queue to read ({@code KICKOFF_RUNS_DLQ_URL} unset). */
    private final DeadLetterIntake deadLetters;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public SweeperHandler() {
        this(Map.of());
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public SweeperHandler(Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(environment);
        this.runtime = new CompositionRoot(Settings.fromEnvironment(environment));
        this.sweeper = runtime.sweeper(sweepSettings(env));
        String dlq = env.get("KICKOFF_RUNS_DLQ_URL");
        this.deadLetters = dlq == null || dlq.isBlank() ? null
                : new DeadLetterIntake(new SqsDeadLetters(runtime.sqs(), dlq), runtime.runStore(), runtime.clock());
    }

    static RunSweeper.Settings sweepSettings(Map<String, String> env) {
        RunSweeper.Settings d = RunSweeper.Settings.defaults();
        return new RunSweeper.Settings(
                seconds(env, "KICKOFF_SWEEP_GRACE_SECONDS", d.grace()),
                integer(env, "KICKOFF_SWEEP_MAX_RECOVERIES", d.maxRecoveries()),
                seconds(env, "KICKOFF_SWEEP_MAX_INTERVAL_SECONDS", d.maxInterval()),
                integer(env, "KICKOFF_SWEEP_MAX_RUNS", d.maxRuns()),
                d.pageSize());
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Instant deadline = deadline(runtime.clock().instant(), context);
        try {
            // Dead letters first: the runs they name are listed now and swept once quiet for the grace.
            int deadLettered = deadLetters == null ? 0 : deadLetters.takeIn(MAX_DEAD_LETTERS, deadline);
            RunSweeper.Report report = context == null ? sweeper.sweep(deadline)
                    : PowertoolsLogging.withLogging(context, () -> sweeper.sweep(deadline));
            PowertoolsRunObserver.count("RunsDeadLettered", deadLettered);
            PowertoolsRunObserver.count("RunsRecovered", report.requeued());
            PowertoolsRunObserver.count("RunsGivenUp", report.givenUp());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("dead_letters_listed", deadLettered);
            out.put("examined", report.examined());
            out.put("requeued", report.requeued());
            out.put("given_up", report.givenUp());
            out.put("unlisted", report.unlisted());
            out.put("errors", report.errors());
            out.put("complete", report.complete());
            if (event != null && event.getTime() != null) {
                out.put("scheduled_at", event.getTime().toString());
            }
            return out;
        } finally {
            PowertoolsRunObserver.flush();
        }
    }

    /** The invocation's end less a margin (a quarter of what is left, at most {@link #STOP_MARGIN}). */
    static Instant deadline(Instant now, Context context) {
        if (context == null) {
            return null;
        }
        Duration remaining = Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
        Duration margin = remaining.dividedBy(4);
        return now.plus(remaining).minus(margin.compareTo(STOP_MARGIN) > 0 ? STOP_MARGIN : margin);
    }

    private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : Duration.ofSeconds(Long.parseLong(v.trim()));
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }
}
