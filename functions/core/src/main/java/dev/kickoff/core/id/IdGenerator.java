package dev.kickoff.core.id;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;

/**
 * Numeric IDs without a counter item: 41 bits of milliseconds since 2025-01-01 followed by 12 random bits.
 * Every ID is a positive integer below 2^53, so JavaScript clients read it exactly; IDs sort roughly by
 * creation time; and no single DynamoDB item is written per ID (a counter item would cap the whole service
 * at about 1,000 creations a second). Uniqueness is enforced where the ID is stored, by a conditional write;
 * a collision (two IDs in the same millisecond with the same 12 random bits) is retried with a fresh ID.
 */
public final class IdGenerator {
    static final long EPOCH_MILLIS = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
    static final int RANDOM_BITS = 12;
    static final long MAX_SAFE = (1L << 53) - 1;

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public IdGenerator(Clock clock) {
        this.clock = clock;
    }

    public long next() {
        long millis = Math.max(1, clock.millis() - EPOCH_MILLIS);
        long id = (millis << RANDOM_BITS) | random.nextInt(1 << RANDOM_BITS);
        if (id > MAX_SAFE) {
            throw new IllegalStateException("ID space exhausted (the year is past 2094)");
        }
        return id;
    }

    /** Parses an ID from a path segment; anything that is not a positive safe integer is "not found". */
    public static long parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 16) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return -1;
            }
        }
        long value = Long.parseLong(text);
        return value > 0 && value <= MAX_SAFE ? value : -1;
    }
}
