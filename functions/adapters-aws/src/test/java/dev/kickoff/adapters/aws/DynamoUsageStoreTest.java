package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.RunUsage;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metering on DynamoDB Local: a finish is counted once however often it is metered, and the monthly run count the
 * quota reads is the day counters' runs over every shard (no month total item).
 */
class DynamoUsageStoreTest {
    static DynamoUsageStore usage;
    static final AtomicLong ORGS = new AtomicLong(System.nanoTime() & 0xffffffL);

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("usage");
        usage = new DynamoUsageStore(new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name()));
    }

    static UsageStore.Meter first(long run, long org, long workflow, Instant at) {
        return new UsageStore.Meter(run, org, workflow, 1, 0, at, new RunUsage(1, 10, 0, null, Map.of()),
                new BigDecimal("0.055"), new BigDecimal("0.055"), true, RunStatus.COMPLETED);
    }

    @Test
    void aFinishIsCountedOnceAndTheMonthsRunsAddUpTheDayCountersOfEveryShard() {
        long org = ORGS.incrementAndGet();
        Instant day1 = Instant.parse("2026-12-01T10:00:00Z");
        Instant day2 = Instant.parse("2026-12-02T10:00:00Z");
        // Runs in different shards (ID mod 64), two workflows, two days of the month.
        long base = 1_000_000L * org;
        assertThat(usage.meter(first(base + 1, org, 7, day1))).isTrue();
        assertThat(usage.meter(first(base + 2, org, 7, day2))).isTrue();
        assertThat(usage.meter(first(base + 3, org, 8, day2))).isTrue();
        assertThat(usage.meter(first(base + 67, org, 8, day2))).as("same shard as run +3").isTrue();

        // The same finish again (a redelivered record): answered by its client request token or refused by the
        // marker's condition, never counted twice (the counts below).
        usage.meter(first(base + 1, org, 7, day1));
        // A second finish (a retry from the failed step) adds its steps, not the run.
        assertThat(usage.meter(new UsageStore.Meter(base + 2, org, 7, 2, 1, day2,
                new RunUsage(1, 10, 0, null, Map.of()), new BigDecimal("0.01"), new BigDecimal("0.065"), false,
                RunStatus.COMPLETED)))
                .isTrue();
        // Another month does not count in December.
        assertThat(usage.meter(first(base + 4, org, 7, Instant.parse("2026-11-30T23:59:59Z")))).isTrue();

        assertThat(usage.monthRuns(org, YearMonth.of(2026, 12))).isEqualTo(4);
        assertThat(usage.monthRuns(org, YearMonth.of(2026, 11))).isEqualTo(1);
        assertThat(usage.monthRuns(org + 1_000_000, YearMonth.of(2026, 12))).as("another organization").isZero();
        assertThat(usage.read(org, YearMonth.of(2026, 12), null)).extracting(UsageStore.Counter::runs)
                .containsExactlyInAnyOrder(2L, 2L);
        assertThat(usage.marker(base + 2)).get().extracting(UsageStore.Marker::finishes).isEqualTo(2);
    }
}
