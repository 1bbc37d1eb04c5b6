package dev.kickoff.core.schedule;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A managed schedule: a workflow started on an EventBridge-style expression, in a time zone, with a fixed input. The
 * first group of fields is what the management API edits ({@code version} counts those edits, for conditional
 * writes); {@code nextFireAt} is the one fire the schedule waits for (null while paused or when it will never fire
 * again) and is what the wake-up index holds; the rest is what its fires came to.
 *
 * @param anchor      when the expression was last set: a {@code rate}'s first fire
 * @param recentFires the latest fires, newest first (at most {@link #RECENT_FIRES})
 */
public record Schedule(
        long id,
        long orgId,
        long workflowId,
        String expression,
        String timezone,
        JsonNode input,
        String description,
        Status status,
        Instant anchor,
        Instant createdAt,
        Instant updatedAt,
        long version,
        Instant nextFireAt,
        Instant lastFiredAt,
        Long lastRunId,
        List<Fire> recentFires,
        Counts counts) {

    public static final int RECENT_FIRES = 10;

    public Schedule {
        recentFires = recentFires == null ? List.of() : List.copyOf(recentFires);
        counts = counts == null ? Counts.NONE : counts;
    }

    public enum Status {
        ACTIVE, PAUSED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static java.util.Optional<Status> fromWire(String text) {
            for (Status s : values()) {
                if (s.wireName().equals(text)) {
                    return java.util.Optional.of(s);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /**
     * What one fire came to: {@code started} (a run, {@code runId}), {@code failed} (no run: the input broke the
     * workflow's inputSchema at fire time, the workflow cannot be started, ...: {@code code} and {@code message}
     * say why), {@code skipped} (the organization's monthly run quota was used up) or {@code missed} (Kickoff was
     * not running at its time; {@code count} fires in a row).
     */
    public record Fire(Instant fireTime, String outcome, Long runId, String code, String message, long count,
                       Instant recordedAt) {
        public static final String STARTED = "started";
        public static final String FAILED = "failed";
        public static final String SKIPPED = "skipped";
        public static final String MISSED = "missed";
    }

    /** How many fires came to each outcome, over the schedule's life. */
    public record Counts(long started, long failed, long skipped, long missed) {
        public static final Counts NONE = new Counts(0, 0, 0, 0);
    }

    public ZoneId zone() {
        return ZoneId.of(timezone);
    }

    public ScheduleExpression parsedExpression() {
        return ScheduleExpression.parse(expression);
    }

    public boolean active() {
        return status == Status.ACTIVE;
    }

    /** The next {@code n} fires after {@code after} (fewer when the schedule ends, none while paused). */
    public List<Instant> nextFires(Instant after, int n) {
        if (!active()) {
            return List.of();
        }
        ScheduleExpression parsed = parsedExpression();
        ZoneId zone = zone();
        List<Instant> out = new java.util.ArrayList<>();
        Instant t = nextFireAt != null ? nextFireAt : parsed.next(after, zone, anchor);
        while (t != null && out.size() < n) {
            out.add(t);
            t = parsed.next(t, zone, anchor);
        }
        return out;
    }

    /** The same schedule with the API-owned fields as given (identity, fire state and counts kept). */
    public Schedule edited(String expression, String timezone, JsonNode input, String description, Status status,
                           Instant anchor, Instant nextFireAt, Instant updatedAt) {
        return new Schedule(id, orgId, workflowId, expression, timezone, input, description, status, anchor, createdAt,
                updatedAt, version + 1, nextFireAt, lastFiredAt, lastRunId, recentFires, counts);
    }
}
