package dev.kickoff.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a schedule fires, in EventBridge Scheduler's own syntax, so that users write what they already know:
 * {@code cron(0 9 ? * MON-FRI *)}, {@code rate(5 minutes)} or {@code at(2026-12-24T18:00:00)}. A cron and an
 * {@code at} time are read in the schedule's time zone; a rate counts fixed durations ({@code rate(1 day)} is 24 hours,
 * also across a daylight saving change) from its anchor, the moment the expression was set, at which it fires first
 * (as a Scheduler rate schedule without a start date starts at once).
 */
public sealed interface ScheduleExpression {
    int MAX_LENGTH = 256;

    /** The expression as the user wrote it (trimmed). */
    String text();

    /**
     * The first fire strictly after {@code after}, or null when there is none. {@code anchor} is when the expression
     * was set: a rate's first fire.
     */
    Instant next(Instant after, ZoneId zone, Instant anchor);

    /** A rate's period; null for the others. */
    default Duration period() {
        return null;
    }

    Pattern RATE = Pattern.compile("rate\\(\\s*(\\d{1,7})\\s+(minute|minutes|hour|hours|day|days)\\s*\\)",
            Pattern.CASE_INSENSITIVE);
    Pattern CRON = Pattern.compile("cron\\((.*)\\)", Pattern.CASE_INSENSITIVE);
    Pattern AT = Pattern.compile("at\\(\\s*(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\s*\\)", Pattern.CASE_INSENSITIVE);

    /** Parses an expression; {@link IllegalArgumentException} says what is wrong. */
    static ScheduleExpression parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("an expression is at most " + MAX_LENGTH + " characters");
        }
        Matcher rate = RATE.matcher(t);
        if (rate.matches()) {
            long value = Long.parseLong(rate.group(1));
            if (value < 1) {
                throw new IllegalArgumentException(t + ": the rate must be a positive whole number");
            }
            String unit = rate.group(2).toLowerCase(java.util.Locale.ROOT);
            Duration period = unit.startsWith("minute") ? Duration.ofMinutes(value)
                    : unit.startsWith("hour") ? Duration.ofHours(value) : Duration.ofDays(value);
            return new Rate(t, period);
        }
        Matcher cron = CRON.matcher(t);
        if (cron.matches()) {
            return new Cron(t, CronExpression.parse(cron.group(1)));
        }
        Matcher at = AT.matcher(t);
        if (at.matches()) {
            try {
                return new At(t, LocalDateTime.parse(at.group(1)));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(t + ": " + at.group(1) + " is not a date and time");
            }
        }
        throw new IllegalArgumentException("'" + t + "' is not an EventBridge schedule expression: write cron(minutes "
                + "hours day-of-month month day-of-week year), rate(value unit) with unit minutes, hours or days, or "
                + "at(yyyy-mm-ddThh:mm:ss)");
    }

    /** Every {@code period} from the anchor, the anchor included; time zones do not apply. */
    record Rate(String text, Duration period) implements ScheduleExpression {
        @Override
        public Instant next(Instant after, ZoneId zone, Instant anchor) {
            if (after.isBefore(anchor)) {
                return anchor;
            }
            long periods = Duration.between(anchor, after).toMillis() / period.toMillis() + 1;
            return anchor.plus(period.multipliedBy(periods));
        }

        /** How many fires fall in {@code (from, to]}. */
        long firesBetween(Instant from, Instant to, Instant anchor) {
            if (!to.isAfter(from)) {
                return 0;
            }
            return index(to, anchor) - index(from, anchor);
        }

        private long index(Instant t, Instant anchor) {
            if (t.isBefore(anchor)) {
                return -1;
            }
            return Duration.between(anchor, t).toMillis() / period.toMillis();
        }
    }

    record Cron(String text, CronExpression cron) implements ScheduleExpression {
        @Override
        public Instant next(Instant after, ZoneId zone, Instant anchor) {
            return cron.next(after, zone);
        }
    }

    /** Once, at a local time in the schedule's zone: the first occurrence if it occurs twice, never if it does not. */
    record At(String text, LocalDateTime local) implements ScheduleExpression {
        @Override
        public Instant next(Instant after, ZoneId zone, Instant anchor) {
            Instant at = instant(zone);
            return at != null && at.isAfter(after) ? at : null;
        }

        /** Null when the local time does not exist in the zone (clocks spring forward over it). */
        public Instant instant(ZoneId zone) {
            if (zone.getRules().getValidOffsets(local).isEmpty()) {
                return null;
            }
            return ZonedDateTime.ofLocal(local, zone, null).toInstant();
        }
    }
}
