package dev.kickoff.core.usage;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.RunUsage;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.testing.InMemoryBillingStore;
import dev.kickoff.core.testing.InMemoryUsageStore;
import dev.kickoff.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Metering: exact prices, and each run counted once however often its finish is delivered. */
class MeteringTest {
    static final Instant T0 = Instant.parse("2026-12-24T10:00:00Z");
    MutableClock clock = new MutableClock(T0);
    InMemoryUsageStore usage = new InMemoryUsageStore();
    InMemoryBillingStore billingStore = new InMemoryBillingStore();
    BillingSettings billing = new BillingSettings(billingStore, clock);
    Metering metering = new Metering(usage, billing);

    static StepRecord step(String id, String type, String status, Instant start, long ms, int attempts) {
        return new StepRecord(id, type, status, null, null, null, start, start.plusMillis(ms), attempts);
    }

    static Run run(long id, RunStatus status, int retries, Instant completed, List<StepRecord> steps) {
        return new Run(id, 7, 70, 1, false, 1, "api", "ci", "live", Json.object(), null, null, T0, status, null, null,
                steps, completed, T0, completed, 1, null, null, null, null, retries);
    }

    @Test
    void aRunIsPricedExactlyFromThePriceList() {
        Run r = run(1, RunStatus.COMPLETED, 0, T0.plusSeconds(2), List.of(
                step("a", "transform", "completed", T0, 1234, 1),
                step("b", "http", "completed", T0.plusSeconds(1), 500, 3),
                step("c", "delay", "completed", T0, 3_600_000, 1),
                step("d", "transform", "skipped", T0, 0, 0)));
        RunUsage u = RunUsage.measure(r.steps(), null);
        assertThat(u.steps()).isEqualTo(5);  // 1 + 3 attempts + the delay; the skipped step never ran
        assertThat(u.stepMs()).isEqualTo(1734);  // the delay's wait is not step time
        assertThat(u.stepsByType()).containsEntry("http", 3L).containsEntry("transform", 1L).containsEntry("delay", 1L);
        // 0.05 (run) + 0.005 (transform) + 3 x 0.01 (http, the "*" price) + 0.005 (delay) + 1.734 s x 0.002
        assertThat(PriceList.DEFAULTS.price(u, true)).isEqualByComparingTo("0.093468");
        assertThat(PriceList.DEFAULTS.price(u, false)).isEqualByComparingTo("0.043468");
        var result = metering.meter(r);
        assertThat(result.applied()).isTrue();
        assertThat(result.cost()).isEqualTo(new BigDecimal("0.093468"));
        assertThat(usage.runCosts).containsEntry(1L, new BigDecimal("0.093468"));
    }

    @Test
    void outboundRequestsAreCountedFromTheStepRecordsAndPriced() {
        Run r = run(9, RunStatus.COMPLETED, 0, T0.plusSeconds(1), List.of(
                new StepRecord("call", "http", "completed", null, null, null, T0, T0.plusMillis(500), 2, 2),
                new StepRecord("mail", "email", "completed", null, null, null, T0, T0.plusMillis(500), 1, 1)));
        RunUsage u = RunUsage.measure(r.steps(), null);
        assertThat(u.outboundRequests()).isEqualTo(3);
        // 0.05 (run) + 3 x 0.01 (steps, the "*" price) + 1 s x 0.002 + 3 x 0.01 (outbound requests)
        assertThat(PriceList.DEFAULTS.price(u, true)).isEqualByComparingTo("0.112");
    }

    @Test
    void aFinishDeliveredAgainIsCountedOnce() {
        Run r = run(2, RunStatus.COMPLETED, 0, T0.plusSeconds(1), List.of(step("a", "transform", "completed", T0, 10, 1)));
        assertThat(metering.meter(r).applied()).isTrue();
        var again = metering.meter(r);
        assertThat(again.applied()).isFalse();
        assertThat(again.cost()).isEqualTo(metering.meter(r).cost());
        assertThat(usage.applied).hasSize(1);
        assertThat(usage.monthRuns(7, YearMonth.of(2026, 12))).isEqualTo(1);
    }

    @Test
    void aRetriedRunsSecondFinishAddsOnlyTheStepsRunSinceAndNotTheRun() {
        Instant firstEnd = T0.plusSeconds(2);
        Run failed = run(3, RunStatus.FAILED, 0, firstEnd, List.of(
                step("a", "transform", "completed", T0, 100, 1),
                step("b", "http", "failed", T0.plusSeconds(1), 200, 2)));
        metering.meter(failed);
        // Retried from its failed step an hour later: a's record is kept, b runs again (once), c runs.
        Instant retry = firstEnd.plus(Duration.ofHours(1));
        Run completed = run(3, RunStatus.COMPLETED, 1, retry.plusSeconds(3), List.of(
                step("a", "transform", "completed", T0, 100, 1),
                step("b", "http", "completed", retry, 300, 1),
                step("c", "transform", "completed", retry.plusSeconds(1), 400, 1)));
        var second = metering.meter(completed);
        assertThat(second.applied()).isTrue();
        assertThat(second.finish()).isEqualTo(2);
        assertThat(usage.applied).hasSize(2);
        UsageStore.Meter m = usage.applied.get(1);
        assertThat(m.countsRun()).isFalse();
        assertThat(m.usage().steps()).isEqualTo(2);
        assertThat(m.usage().stepMs()).isEqualTo(700);
        var counters = usage.read(7, YearMonth.of(2026, 12), null);
        assertThat(counters).singleElement().satisfies(c -> {
            assertThat(c.runs()).isEqualTo(1);
            assertThat(c.stepExecutions()).isEqualTo(5);  // a, b twice; then b and c
            assertThat(c.stepMs()).isEqualTo(1000);
        });
        // The run shows its whole cost: first finish + second.
        assertThat(usage.runCosts.get(3L)).isEqualTo(PriceList.plain(usage.applied.get(0).cost().add(m.cost())));
        // The first finish delivered again now changes nothing, nor does the second.
        assertThat(metering.meter(failed).applied()).isFalse();
        assertThat(metering.meter(completed).applied()).isFalse();
        assertThat(usage.applied).hasSize(2);
        assertThat(usage.runCosts.get(3L)).isEqualTo(second.cost());
    }

    @Test
    void aSecondFinishWhoseFirstWasNeverMeteredCountsEverything() {
        Run completed = run(4, RunStatus.COMPLETED, 1, T0.plusSeconds(5), List.of(
                step("a", "transform", "completed", T0, 100, 1)));
        var result = metering.meter(completed);
        assertThat(result.applied()).isTrue();
        assertThat(usage.applied.getFirst().countsRun()).isTrue();
        assertThat(usage.applied.getFirst().usage().steps()).isEqualTo(1);
    }

    @Test
    void anOrganizationsOwnPricesAreMergedOverTheDefaults() {
        billing.setPrices(7, Json.parse("{\"per_run\": \"1\", \"per_step\": {\"transform\": 0.5}}"));
        Run r = run(5, RunStatus.COMPLETED, 0, T0.plusSeconds(1), List.of(step("a", "transform", "completed", T0, 0, 2)));
        assertThat(metering.meter(r).cost()).isEqualTo(new BigDecimal("2"));
        assertThatThrownBy(() -> billing.setPrices(7, Json.parse("{\"per_run\": -1}"))).isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> billing.setPrices(7, Json.parse("{\"per_run\": 0.0000001}")))
                .isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> billing.setPrices(7, Json.parse("{\"per_hour\": 1}"))).isInstanceOf(KickoffException.class);
        assertThat(PriceList.DEFAULTS.merge(Json.parse("{\"per_step\": {\"transform\": null}}")).step("transform"))
                .isEqualByComparingTo("0.01");
        assertThat(PriceList.plain(new BigDecimal("10.000")).toString()).isEqualTo("10");
        assertThat(PriceList.plain(new BigDecimal("0.050")).toString()).isEqualTo("0.05");
    }

    @Test
    void theMonthlyRunQuotaRefusesOnceUsedUpAndResetsWithTheMonth() {
        MonthlyRunQuota quota = new MonthlyRunQuota(billing, usage, clock);
        quota.check(7);  // no quota: nothing to check
        billing.setMonthlyRunQuota(7, 2L);
        metering.meter(run(6, RunStatus.COMPLETED, 0, T0, List.of()));
        quota.check(7);
        quota.started(7);  // a second run started by this instance, not finished yet
        assertThatThrownBy(() -> quota.check(7)).isInstanceOfSatisfying(QuotaExceededException.class, e -> {
            assertThat(e.resetAt()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
            assertThat(e.getMessage()).contains("Monthly run quota exceeded");
        });
        clock.advance(Duration.ofDays(8));  // January: a new month
        quota.check(7);
    }

    @Test
    void aMonthsReportHasEveryDayWithItsRunsByStatusAndADaysReportHasNoDays() {
        metering.meter(run(20, RunStatus.COMPLETED, 0, Instant.parse("2026-12-01T10:00:00Z"), List.of()));
        metering.meter(run(21, RunStatus.FAILED, 0, Instant.parse("2026-12-01T11:00:00Z"), List.of()));
        Run failed = run(22, RunStatus.FAILED, 0, Instant.parse("2026-12-24T10:00:00Z"), List.of());
        metering.meter(failed);
        // Retried and completed the next day: the run stays counted once, as failed, on the 24th.
        metering.meter(run(22, RunStatus.COMPLETED, 1, Instant.parse("2026-12-25T10:00:00Z"), List.of(
                step("a", "transform", "completed", Instant.parse("2026-12-25T09:59:59Z"), 0, 1))));
        UsageService service = new UsageService(usage, billing, clock);

        var days = service.report(7, "2026-12", null).get("usage").get("days");
        assertThat(days).hasSize(31);
        assertThat(days.get(0).toString())
                .isEqualTo("{\"day\":\"2026-12-01\",\"runs\":2,\"completed\":1,\"failed\":1,\"cost_cents\":0.1}");
        assertThat(days.get(1).toString())
                .isEqualTo("{\"day\":\"2026-12-02\",\"runs\":0,\"completed\":0,\"failed\":0,\"cost_cents\":0}");
        assertThat(days.get(23).get("failed").asLong()).isEqualTo(1);
        assertThat(days.get(24).get("runs").asLong()).isZero();
        assertThat(days.get(24).get("cost_cents").decimalValue()).isEqualByComparingTo("0.005");
        assertThat(days.get(30).get("day").asText()).isEqualTo("2026-12-31");
        assertThat(service.report(7, "2027-02", null).get("usage").get("days")).hasSize(28);
        assertThat(service.report(7, null, "2026-12-01").get("usage").has("days")).isFalse();
    }
}
