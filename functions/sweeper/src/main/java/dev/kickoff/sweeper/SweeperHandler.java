package dev.kickoff.sweeper;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.core.engine.DeadLetterIntake;
import dev.kickoff.core.engine.RunSweeper;
import dev.kickoff.core.engine.RunTimings;
import dev.kickoff.core.schedule.ScheduleSweep;
import dev.kickoff.lambda.Invocations;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sweeper Lambda ({@code template.yaml}: {@code dev.kickoff.sweeper.SweeperHandler::handleRequest}), invoked by
 * an EventBridge schedule every minute: the shared skeleton ({@link Invocations#scheduled}) around one bounded
 * {@link RunSweeper#sweep}, then the managed schedules' firing pass ({@link ScheduleSweep}); both stop starting work
 * a little before the function's timeout (a quarter of the time left, at most {@link RunTimings#sweeperStopMargin()});
 * one that is cut short continues on the next invocation (of the same instance, for the recovery). Answers what it
 * did, e.g. {@code {"examined": 3, "requeued": 1, "given_up": 0, ...}}.
 *
 * <p>Configuration ({@code template.yaml}; parsed by the bootstrap's {@link Settings}, documented in
 * {@link RunTimings}): {@code KICKOFF_SWEEP_GRACE_SECONDS} (120), {@code KICKOFF_SWEEP_MAX_RECOVERIES} (3),
 * {@code KICKOFF_SWEEP_MAX_INTERVAL_SECONDS} (3600), {@code KICKOFF_SWEEP_MAX_RUNS} (2000), {@code KICKOFF_RUNS_DLQ_URL}
 * (the runs' dead-letter queue, drained first by each sweep: see {@link DeadLetterIntake}), plus what every function
 * reads ({@code KICKOFF_RUN_LEASE_SECONDS}).
 */
public class SweeperHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    private final RunSweeper sweeper;
    /** Null when the function has no dead-letter queue to read ({@code KICKOFF_RUNS_DLQ_URL} unset). */
    private final DeadLetterIntake deadLetters;
    private final Clock clock;
    private final RunTimings timings;
    /** The managed schedules' firing pass; null when the function has no fires queue to send to. */
    private final ScheduleSweep fires;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public SweeperHandler() {
        this(Map.of());
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public SweeperHandler(Map<String, String> environment) {
        this(CompositionRoot.fromEnvironment(environment));
    }

    /** Built from the composition root once per instance; it keeps only what a sweep uses. */
    public SweeperHandler(CompositionRoot root) {
        this.sweeper = root.sweeper();
        this.deadLetters = root.deadLetterIntake().orElse(null);
        this.clock = root.clock();
        this.timings = root.settings().timings();
        this.fires = root.settings().schedules().firesQueueUrl() == null ? null : root.scheduleSweep();
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return Invocations.scheduled(context, clock, timings.sweeperStopMargin(), PowertoolsRunObserver::flush,
                deadline -> {
                    // Dead letters first: the runs they name are listed now and swept once quiet for the grace.
                    int deadLettered = deadLetters == null ? 0 : deadLetters.takeIn(timings.maxDeadLetters(), deadline);
                    RunSweeper.Report report = sweeper.sweep(deadline);
                    // Then the schedules' fires due within two minutes, held back to their times (the same pass over
                    // the wake-up index as the long waits', under the schedules' own keys).
                    int fired = fires == null ? 0 : fires.sweep(deadline);
                    PowertoolsRunObserver.count("ScheduleFiresSent", fired);
                    PowertoolsRunObserver.count("RunsDeadLettered", deadLettered);
                    PowertoolsRunObserver.count("RunsRecovered", report.requeued());
                    PowertoolsRunObserver.count("RunsGivenUp", report.givenUp());
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("dead_letters_listed", deadLettered);
                    out.put("examined", report.examined());
                    out.put("requeued", report.requeued());
                    out.put("given_up", report.givenUp());
                    out.put("woken", report.woken());
                    out.put("fires_sent", fired);
                    out.put("unlisted", report.unlisted());
                    out.put("errors", report.errors());
                    out.put("complete", report.complete());
                    if (event != null && event.getTime() != null) {
                        out.put("scheduled_at", event.getTime().toString());
                    }
                    return out;
                });
    }
}
