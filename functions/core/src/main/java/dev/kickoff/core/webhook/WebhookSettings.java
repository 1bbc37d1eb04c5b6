package dev.kickoff.core.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How deliveries are retried and kept.
 *
 * @param schedule        delay before each attempt: the first is attempt 1 (normally 0: immediately)
 * @param disableAfter    an endpoint that has failed without a single success for this long is disabled
 * @param retention       how long events and deliveries are kept (the delivery log, replays)
 * @param rotationOverlap how long a rotated-out secret keeps signing alongside the new one
 * @param attemptLease    how long one attempt owns its delivery (longer than the request timeout)
 * @param maxPerOrg       subscriptions an organization may have
 */
public record WebhookSettings(List<Duration> schedule, Duration disableAfter, Duration retention,
                              Duration rotationOverlap, Duration attemptLease, int maxPerOrg) {
    /** Standard Webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
    public static final String STANDARD_SCHEDULE = "0s,5s,5m,30m,2h,5h,10h,10h";

    public WebhookSettings {
        schedule = List.copyOf(schedule);
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one attempt");
        }
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings(parseSchedule(STANDARD_SCHEDULE), Duration.ofDays(5), Duration.ofDays(30),
                Duration.ofHours(24), Duration.ofSeconds(60), 20);
    }

    public int maxAttempts() {
        return schedule.size();
    }

    /** The wait before attempt {@code attempt} (1-based), counted from the previous attempt. */
    public Duration delayBefore(int attempt) {
        return schedule.get(Math.min(Math.max(attempt, 1), schedule.size()) - 1);
    }

    /** {@code "0s,5s,5m,30m,2h"}: numbers with a unit of ms, s, m, h or d. */
    public static List<Duration> parseSchedule(String text) {
        List<Duration> out = new ArrayList<>();
        for (String part : text.split(",")) {
            out.add(parseDuration(part));
        }
        return out;
    }

    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofSeconds(Long.parseLong(t));
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 500ms, 5s, 5m, 2h, 5d)");
        }
    }
}
