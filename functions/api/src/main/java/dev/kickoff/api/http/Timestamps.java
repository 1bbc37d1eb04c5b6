package dev.kickoff.api.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Timestamps as the seeds print them. */
public final class Timestamps {
    private Timestamps() {
    }

    /** {@code 2026-05-19T12:34:56Z}: seeds 000, 001 and 002. */
    public static String seconds(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code 2024-01-15T10:00:05.000Z}: seed 003. */
    public static String millis(Instant instant) {
        if (instant == null) {
            return null;
        }
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(instant);
    }

    /** {@code 2025-05-22 20:59:07.014093}: seed 004 (Python's {@code str(datetime)} of a UTC time). */
    public static String micros(Instant instant) {
        if (instant == null) {
            return null;
        }
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                .withZone(java.time.ZoneOffset.UTC).format(instant);
    }
}
