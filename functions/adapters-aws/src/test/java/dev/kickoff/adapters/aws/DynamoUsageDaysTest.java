package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.RunUsage;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The usage counters on DynamoDB Local: runs split by how they finished, per day, counted once with the run. */
class DynamoUsageDaysTest {
    static DynamoTable table;
    static DynamoUsageStore usage;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final YearMonth DEC = YearMonth.of(2026, 12);

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("usage");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        usage = new DynamoUsageStore(table);
    }

    static UsageStore.Meter first(long run, long org, long wf, String at, RunStatus status, String cost) {
        return new UsageStore.Meter(run, org, wf, 1, 0, Instant.parse(at), new RunUsage(2, 100, 0, null, Map.of()),
                new BigDecimal(cost), new BigDecimal(cost), true, status);
    }

    @Test
    void aMonthsCountersSplitEachDaysRunsByStatusOverShardsAndWorkflows() {
        long org = IDS.incrementAndGet();
        long a = IDS.incrementAndGet();
        long b = IDS.incrementAndGet();
        // Run IDs 1 apart land in different shards; two workflows on the 1st, one on the 3rd.
        long run = IDS.addAndGet(100);
        assertThat(usage.meter(first(run, org, a, "2026-12-01T08:00:00Z", RunStatus.COMPLETED, "0.1"))).isTrue();
        assertThat(usage.meter(first(run + 1, org, a, "2026-12-01T09:00:00Z", RunStatus.FAILED, "0.2"))).isTrue();
        assertThat(usage.meter(first(run + 2, org, b, "2026-12-01T23:59:59Z", RunStatus.COMPLETED, "0.05"))).isTrue();
        assertThat(usage.meter(first(run + 3, org, b, "2026-12-03T00:00:00Z", RunStatus.FAILED, "0.3"))).isTrue();
        // The failed run on the 3rd is retried and completes on the 4th: its steps count there, the run does not
        // (it was counted, as failed, with its first finish).
        assertThat(usage.meter(new UsageStore.Meter(run + 3, org, b, 2, 1, Instant.parse("2026-12-04T10:00:00Z"),
                new RunUsage(1, 50, 0, null, Map.of()), new BigDecimal("0.01"), new BigDecimal("0.31"), false,
                RunStatus.COMPLETED))).isTrue();
        // Delivered again: answered as the transaction that landed (same client request token), counted nowhere.
        usage.meter(first(run, org, a, "2026-12-01T08:00:00Z", RunStatus.COMPLETED, "0.1"));

        UsageStore.Counters month = usage.report(org, DEC, null);
        assertThat(month.byDay()).containsExactly(
                new UsageStore.DayCounter(1, 3, 2, 1, new BigDecimal("0.35")),
                new UsageStore.DayCounter(3, 1, 0, 1, new BigDecimal("0.3")),
                new UsageStore.DayCounter(4, 0, 0, 0, new BigDecimal("0.01")));
        assertThat(month.byWorkflow()).extracting(UsageStore.Counter::workflowId, UsageStore.Counter::runs)
                .containsExactly(tuple(a, 2L), tuple(b, 2L));
        assertThat(usage.monthRuns(org, DEC)).isEqualTo(4);

        UsageStore.Counters third = usage.report(org, DEC, 3);
        assertThat(third.byDay()).containsExactly(new UsageStore.DayCounter(3, 1, 0, 1, new BigDecimal("0.3")));
        assertThat(usage.read(org, DEC, 3)).singleElement().satisfies(c -> assertThat(c.workflowId()).isEqualTo(b));
    }

    @Test
    void countersWrittenBeforeTheSplitCountTheirRunsUnderNeitherStatus() {
        long org = IDS.incrementAndGet();
        long wf = IDS.incrementAndGet();
        // A counter item as metering wrote it before runs_completed / runs_failed existed.
        table.client().putItem(b -> b.tableName(table.name()).item(Map.of(
                "pk", AttributeValue.fromS(DynamoUsageStore.counterPk(org, DEC, 5)),
                "sk", AttributeValue.fromS(DynamoUsageStore.counterSk(7, wf)),
                "type", AttributeValue.fromS("usage_counter"), "workflow_id", AttributeValue.fromN(Long.toString(wf)),
                "runs", AttributeValue.fromN("4"), "step_executions", AttributeValue.fromN("8"),
                "cost_cents", AttributeValue.fromN("0.4"))));
        assertThat(usage.meter(first(IDS.addAndGet(100), org, wf, "2026-12-07T12:00:00Z", RunStatus.COMPLETED, "0.1")))
                .isTrue();
        assertThat(usage.report(org, DEC, null).byDay())
                .containsExactly(new UsageStore.DayCounter(7, 5, 1, 0, new BigDecimal("0.5")));
    }
}
