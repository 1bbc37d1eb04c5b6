package dev.kickoff.core.schedule;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.port.ScheduleStore;
import dev.kickoff.core.run.InputValidationException;
import dev.kickoff.core.run.RunService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Handles one fire of a managed schedule (a message of the fires queue): starts exactly one run of the workflow's
 * published version for it, records what it came to on the schedule, and moves the schedule on to its next fire.
 *
 * <p>Exactly one run per fire, whatever the queue delivers: the run's idempotency key is the schedule and the fire time
 * ({@link RunService#fireKey}), so a second delivery, or the retry of a delivery that died after starting the run,
 * answers with the run the first one started; the schedule moves on with one conditional write ("still waiting for
 * this fire"), after the run exists, so a crash in between only means the fire is handled again. A fire the schedule no
 * longer waits for (handled already, or the schedule was edited, paused or deleted since it was sent) is dropped.
 *
 * <p>A fire that cannot start a run is recorded, not lost: {@code failed} (its input breaks the workflow's
 * inputSchema now, the workflow is not published, cannot be started, …) or {@code skipped} (the organization's
 * monthly run quota is used up). Transient failures (the runs queue refused, a DynamoDB error) propagate: the message
 * is delivered again.
 *
 * <p><b>Missed fires</b> (Kickoff was down, or the sweeper did not run): fires are never queued up. A fire handled
 * after the schedule's next fire was already due runs once, late, with its own {@code fire_time}, if it is at most
 * {@link #CATCH_UP} old; the fires due between it and now are recorded as one {@code missed} entry with their count,
 * and the schedule waits for its first fire after now. A fire more than {@link #CATCH_UP} late starts nothing: it is
 * missed too.
 */
public final class ScheduleFirer {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFirer.class);

    /** The oldest a fire may be and still start its run late: EventBridge's default maximum event age. */
    public static final Duration CATCH_UP = Duration.ofHours(24);
    /** Missed fires counted one by one at most (a cron every minute missed for weeks); more are counted as this. */
    static final int MAX_COUNTED = 10_000;

    private final ScheduleStore store;
    private final RunService runs;
    private final Clock clock;

    public ScheduleFirer(ScheduleStore store, RunService runs, Clock clock) {
        this.store = store;
        this.runs = runs;
        this.clock = clock;
    }

    /** What became of a fire message. */
    public sealed interface Result {
        /** Handled (or nothing to do): the message can go. {@code outcome} is for the log. */
        record Done(String outcome, Long runId) implements Result {
        }

        /** Early: keep the message until then. */
        record NotYet(Duration delay) implements Result {
        }
    }

    public Result fire(long orgId, long workflowId, long scheduleId, Instant fireTime) {
        Schedule s = store.find(orgId, workflowId, scheduleId).orElse(null);
        if (s == null) {
            return new Result.Done("deleted", null);
        }
        if (s.nextFireAt() == null || !s.nextFireAt().equals(fireTime)) {
            return new Result.Done("stale", null);  // handled already, or edited, paused or ended since it was sent
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (fireTime.isAfter(now)) {
            return new Result.NotYet(Duration.between(now, fireTime));
        }
        ScheduleExpression expression = s.parsedExpression();
        ZoneId zone = s.zone();
        Instant next = expression.next(now, zone, s.anchor());
        Instant firstMissed = expression.next(fireTime, zone, s.anchor());
        long missed = count(expression, zone, s.anchor(), fireTime, now);

        List<Schedule.Fire> fires = new ArrayList<>();
        Schedule.Fire outcome;
        if (Duration.between(fireTime, now).compareTo(CATCH_UP) > 0) {
            outcome = new Schedule.Fire(fireTime, Schedule.Fire.MISSED, null, "missed", "the fire was "
                    + Duration.between(fireTime, now).toHours() + " hours late (Kickoff was not running); fires more than "
                    + CATCH_UP.toHours() + " hours late start nothing", missed + 1, now);
            missed = 0;
        } else {
            outcome = start(s, fireTime, now);
        }
        if (missed > 0) {
            fires.add(new Schedule.Fire(firstMissed, Schedule.Fire.MISSED, null, "missed", missed
                    + (missed >= MAX_COUNTED ? " or more" : "") + " fire(s) from " + firstMissed
                    + " were due while this one was late (Kickoff was not running); they start nothing", missed, now));
        }
        fires.add(outcome);
        if (!store.advance(s, fireTime, next, fires)) {
            // Edited (or paused, or deleted) while this fire was handled: its run exists, so say so on the schedule,
            // unless a concurrent delivery of the same fire recorded it already.
            store.find(orgId, workflowId, scheduleId).ifPresent(now2 -> store.record(now2, fires));
        }
        if (!Schedule.Fire.STARTED.equals(outcome.outcome())) {
            LOG.info("schedule {} fire at {}: {} ({})", scheduleId, fireTime, outcome.outcome(), outcome.message());
        }
        return new Result.Done(outcome.outcome(), outcome.runId());
    }

    /** The run of this fire, or why there is none; transient failures propagate (the fire is delivered again). */
    private Schedule.Fire start(Schedule s, Instant fireTime, Instant now) {
        try {
            RunService.Triggered t = runs.startFire(s.orgId(), s.workflowId(), s.id(), fireTime, s.input());
            return new Schedule.Fire(fireTime, Schedule.Fire.STARTED, t.run().id(), null, null, 1, now);
        } catch (InputValidationException e) {
            StringBuilder why = new StringBuilder("the schedule's input breaks the workflow's inputSchema:");
            e.details().stream().limit(5).forEach(d -> why.append(' ').append(d.path().isEmpty() ? "/" : d.path())
                    .append(": ").append(d.message()).append(';'));
            return new Schedule.Fire(fireTime, Schedule.Fire.FAILED, null, e.reason().code(), truncate(why.toString()),
                    1, now);
        } catch (KickoffException e) {
            return switch (e.reason()) {
                case QUOTA_EXCEEDED -> new Schedule.Fire(fireTime, Schedule.Fire.SKIPPED, null, e.reason().code(),
                        truncate(e.getMessage()), 1, now);
                case UNAVAILABLE, CONFLICT -> throw e;  // the queue refused, or the key is mid-claim: retry the fire
                default -> new Schedule.Fire(fireTime, Schedule.Fire.FAILED, null, e.reason().code(),
                        truncate(e.getMessage()), 1, now);
            };
        }
    }

    /** How many fires fall after {@code from} up to and including {@code to}. */
    static long count(ScheduleExpression expression, ZoneId zone, Instant anchor, Instant from, Instant to) {
        if (expression instanceof ScheduleExpression.Rate rate) {
            return Math.min(MAX_COUNTED, rate.firesBetween(from, to, anchor));
        }
        long n = 0;
        Instant t = expression.next(from, zone, anchor);
        while (t != null && !t.isAfter(to) && n < MAX_COUNTED) {
            n++;
            t = expression.next(t, zone, anchor);
        }
        return n;
    }

    private static String truncate(String message) {
        return message == null || message.length() <= 500 ? message : message.substring(0, 497) + "...";
    }
}
