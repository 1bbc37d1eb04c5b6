package dev.kickoff.core.id;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IdGeneratorTest {
    @Test
    void idsAreSafeIntegersOrderedByTime() {
        var early = new IdGenerator(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        var late = new IdGenerator(Clock.fixed(Instant.parse("2094-01-01T00:00:00Z"), ZoneOffset.UTC));
        long a = early.next();
        long b = late.next();
        assertThat(a).isPositive().isLessThan(b);
        assertThat(b).isLessThanOrEqualTo((1L << 53) - 1);
    }

    @Test
    void idsSpreadWithinOneMillisecond() {
        var ids = new IdGenerator(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(ids.next());
        }
        assertThat(seen.size()).isGreaterThan(40);
    }

    @Test
    void parsesOnlyPositiveSafeIntegers() {
        assertThat(IdGenerator.parse("123")).isEqualTo(123);
        assertThat(IdGenerator.parse("0")).isEqualTo(-1);
        assertThat(IdGenerator.parse("-5")).isEqualTo(-1);
        assertThat(IdGenerator.parse("12a")).isEqualTo(-1);
        assertThat(IdGenerator.parse("9007199254740992")).isEqualTo(-1);
        assertThat(IdGenerator.parse("99999999999999999999")).isEqualTo(-1);
        assertThat(IdGenerator.parse("")).isEqualTo(-1);
    }
}
