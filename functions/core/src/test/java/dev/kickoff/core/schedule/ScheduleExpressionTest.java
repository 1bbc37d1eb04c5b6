package dev.kickoff.core.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * EventBridge's schedule expressions. The expected fire times were worked out independently of this code (a minute by
 * minute walk through the local clock in Python's zoneinfo, a repeated local time counted at its first occurrence only).
 */
class ScheduleExpressionTest {
    static List<String> next(String expression, String zone, String after, int n) {
        ScheduleExpression e = ScheduleExpression.parse(expression);
        List<String> out = new ArrayList<>();
        Instant t = Instant.parse(after);
        for (int i = 0; i < n; i++) {
            t = e.next(t, ZoneId.of(zone), Instant.EPOCH);
            if (t == null) {
                break;
            }
            out.add(t.toString());
        }
        return out;
    }

    static Stream<Arguments> crons() {
        return Stream.of(
                Arguments.of("cron(0 9 ? * MON-FRI *)", "UTC", "2026-12-24T10:00:00Z",
                        List.of("2026-12-25T09:00:00Z", "2026-12-28T09:00:00Z", "2026-12-29T09:00:00Z",
                                "2026-12-30T09:00:00Z", "2026-12-31T09:00:00Z")),
                Arguments.of("cron(0/15 * * * ? *)", "UTC", "2026-12-24T10:07:00Z",
                        List.of("2026-12-24T10:15:00Z", "2026-12-24T10:30:00Z", "2026-12-24T10:45:00Z",
                                "2026-12-24T11:00:00Z", "2026-12-24T11:15:00Z")),
                Arguments.of("cron(*/15 * * * ? *)", "UTC", "2026-12-24T10:07:00Z",
                        List.of("2026-12-24T10:15:00Z", "2026-12-24T10:30:00Z", "2026-12-24T10:45:00Z",
                                "2026-12-24T11:00:00Z", "2026-12-24T11:15:00Z")),
                Arguments.of("cron(0 12 L * ? *)", "UTC", "2026-01-15T00:00:00Z",
                        List.of("2026-01-31T12:00:00Z", "2026-02-28T12:00:00Z", "2026-03-31T12:00:00Z",
                                "2026-04-30T12:00:00Z", "2026-05-31T12:00:00Z")),
                Arguments.of("cron(0 12 L-2 * ? *)", "UTC", "2026-01-15T00:00:00Z",
                        List.of("2026-01-29T12:00:00Z", "2026-02-26T12:00:00Z", "2026-03-29T12:00:00Z",
                                "2026-04-28T12:00:00Z", "2026-05-29T12:00:00Z")),
                Arguments.of("cron(0 8 ? * 6L *)", "UTC", "2026-01-01T00:00:00Z",
                        List.of("2026-01-30T08:00:00Z", "2026-02-27T08:00:00Z", "2026-03-27T08:00:00Z",
                                "2026-04-24T08:00:00Z", "2026-05-29T08:00:00Z")),
                Arguments.of("cron(30 10 ? * 3#2 *)", "UTC", "2026-01-01T00:00:00Z",
                        List.of("2026-01-13T10:30:00Z", "2026-02-10T10:30:00Z", "2026-03-10T10:30:00Z",
                                "2026-04-14T10:30:00Z", "2026-05-12T10:30:00Z")),
                Arguments.of("cron(30 10 ? * TUE#2 *)", "UTC", "2026-01-01T00:00:00Z",
                        List.of("2026-01-13T10:30:00Z", "2026-02-10T10:30:00Z", "2026-03-10T10:30:00Z",
                                "2026-04-14T10:30:00Z", "2026-05-12T10:30:00Z")),
                Arguments.of("cron(0 0 15W * ? *)", "UTC", "2026-01-01T00:00:00Z",
                        List.of("2026-01-15T00:00:00Z", "2026-02-16T00:00:00Z", "2026-03-16T00:00:00Z",
                                "2026-04-15T00:00:00Z", "2026-05-15T00:00:00Z")),
                Arguments.of("cron(0 0 1W * ? *)", "UTC", "2026-01-01T00:00:00Z",
                        List.of("2026-02-02T00:00:00Z", "2026-03-02T00:00:00Z", "2026-04-01T00:00:00Z",
                                "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z")),
                Arguments.of("cron(0 0 LW * ? *)", "UTC", "2026-01-01T00:00:00Z",
                        List.of("2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z",
                                "2026-04-30T00:00:00Z", "2026-05-29T00:00:00Z")),
                Arguments.of("cron(0 0 1 JAN,JUL ? 2027-2028)", "UTC", "2026-05-01T00:00:00Z",
                        List.of("2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z", "2028-01-01T00:00:00Z",
                                "2028-07-01T00:00:00Z")),
                Arguments.of("cron(0 22-2 ? * FRI-MON *)", "UTC", "2026-12-24T12:00:00Z",
                        List.of("2026-12-25T00:00:00Z", "2026-12-25T01:00:00Z", "2026-12-25T02:00:00Z",
                                "2026-12-25T22:00:00Z", "2026-12-25T23:00:00Z")),
                Arguments.of("cron(0 9 ? * mon-fri *)", "Europe/Berlin", "2026-10-23T12:00:00Z",
                        List.of("2026-10-26T08:00:00Z", "2026-10-27T08:00:00Z", "2026-10-28T08:00:00Z",
                                "2026-10-29T08:00:00Z", "2026-10-30T08:00:00Z")));
    }

    @ParameterizedTest(name = "{0} in {1} after {2}")
    @MethodSource("crons")
    void cronFiresWhereEventBridgeWould(String expression, String zone, String after, List<String> expected) {
        assertThat(next(expression, zone, after, 5)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> daylightSaving() {
        return Stream.of(
                // 2026-03-29 02:30 does not exist in Berlin (02:00 CET -> 03:00 CEST): that day is skipped.
                Arguments.of("cron(30 2 * * ? *)", "Europe/Berlin", "2026-03-27T12:00:00Z",
                        List.of("2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z")),
                // 2026-10-25 02:30 happens twice in Berlin (03:00 CEST -> 02:00 CET): it fires once, at the first.
                Arguments.of("cron(30 2 * * ? *)", "Europe/Berlin", "2026-10-23T12:00:00Z",
                        List.of("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")),
                // Hourly over the fall-back: 02:00 CEST (00:00Z) fires, 02:00 CET (01:00Z) does not, 03:00 CET does.
                Arguments.of("cron(0 * * * ? *)", "Europe/Berlin", "2026-10-24T23:30:00Z",
                        List.of("2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z")),
                // Hourly over the spring-forward: 01:00 CET, (no 02:00), 03:00 CEST.
                Arguments.of("cron(0 * * * ? *)", "Europe/Berlin", "2026-03-28T23:30:00Z",
                        List.of("2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z")),
                // New York skips 2026-03-08 02:30 (a Sunday): the next Sunday's is the first fire.
                Arguments.of("cron(30 2 ? * SUN *)", "America/New_York", "2026-03-01T12:00:00Z",
                        List.of("2026-03-15T06:30:00Z", "2026-03-22T06:30:00Z", "2026-03-29T06:30:00Z")),
                // New York's 01:30 on 2026-11-01 happens twice: once, at EDT.
                Arguments.of("cron(30 1 * * ? *)", "America/New_York", "2026-10-31T12:00:00Z",
                        List.of("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z")));
    }

    @ParameterizedTest(name = "{0} in {1} after {2}")
    @MethodSource("daylightSaving")
    void daylightSavingIsHandledAsEventBridgeSchedulerDoes(String expression, String zone, String after,
                                                            List<String> expected) {
        assertThat(next(expression, zone, after, 3)).containsExactlyElementsOf(expected);
    }

    @Test
    void aRateCountsFixedDurationsFromItsAnchorWhichIsItsFirstFire() {
        ScheduleExpression rate = ScheduleExpression.parse("rate(5 minutes)");
        Instant anchor = Instant.parse("2026-12-24T10:00:07.250Z");
        assertThat(rate.next(anchor.minusMillis(1), ZoneId.of("UTC"), anchor)).isEqualTo(anchor);
        assertThat(rate.next(anchor, ZoneId.of("UTC"), anchor)).isEqualTo(Instant.parse("2026-12-24T10:05:07.250Z"));
        assertThat(rate.next(Instant.parse("2026-12-24T11:03:00Z"), ZoneId.of("UTC"), anchor))
                .isEqualTo(Instant.parse("2026-12-24T11:05:07.250Z"));
        assertThat(((ScheduleExpression.Rate) rate).firesBetween(anchor, Instant.parse("2026-12-24T11:00:07.250Z"),
                anchor)).isEqualTo(12);
    }

    @Test
    void aRateOfDaysIs24HoursAcrossDaylightSavingTime() {
        ScheduleExpression rate = ScheduleExpression.parse("rate(1 day)");
        // 09:00 CET the day before Berlin springs forward; 24 hours later it is 10:00 CEST on the wall.
        Instant anchor = Instant.parse("2026-03-28T08:00:00Z");
        Instant next = rate.next(anchor, ZoneId.of("Europe/Berlin"), anchor);
        assertThat(next).isEqualTo(Instant.parse("2026-03-29T08:00:00Z"));
        assertThat(next.atZone(ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rate(1 minute)", "rate(1 minutes)", "rate(5 minutes)", "rate(2 hours)", "rate(1 hour)",
            "rate(1 day)", "rate(7 days)", "RATE(5 MINUTES)", " rate(5 minutes) ", "cron(0 9 * * ? *)",
            "cron(0 9 ? * * *)", "cron(0,30 8-17 ? * MON-FRI *)", "cron(15 10 ? * 6L 2026-2030)",
            "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)", "cron(5,35 14 * * ? *)", "cron(0 12 L * ? 2026)",
            "at(2026-12-24T18:00:00)"})
    void validExpressionsParse(String text) {
        assertThat(ScheduleExpression.parse(text).text()).isEqualTo(text.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "every day", "cron(0 9 * * MON *)", "cron(0 9 ? * ? *)", "cron(60 * * * ? *)",
            "cron(0 24 * * ? *)", "cron(0 9 ? * 8 *)", "cron(0 9 32 * ? *)", "cron(0 9 * 13 ? *)",
            "cron(0 9 * * ? 1969)", "cron(0 9 * * ? 2200)", "cron(0 9 * * ?)", "cron(0 9 * * ? * *)", "rate(0 minutes)",
            "rate(5 weeks)", "rate(five minutes)", "rate(5)", "at(2026-13-01T00:00:00)", "at(2026-12-24 18:00)",
            "at(2026-02-30T00:00:00)", "cron(0 9 ? * 3#6 *)", "cron(0 9 L-31 * ? *)", "cron(*/0 * * * ? *)",
            "cron(0 9 ? * MON-FRI-SAT *)", "cron(,0 9 * * ? *)", "cron(0 9 0W * ? *)", "cron(0 9 ? * 9L *)",
            "cron(a 9 * * ? *)", "cron(0 9 * JANUARY ? *)", "cron(0 9 * * ? 2030-2026)"})
    void invalidExpressionsAreRefusedWithAReason(String text) {
        assertThatThrownBy(() -> ScheduleExpression.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    }

    @Test
    void aCronThatNeverFiresAgainHasNoNextFire() {
        assertThat(next("cron(0 0 30 FEB ? *)", "UTC", "2026-01-01T00:00:00Z", 1)).isEmpty();
        assertThat(next("cron(0 0 * * ? 2025)", "UTC", "2026-01-01T00:00:00Z", 1)).isEmpty();
    }

    @Test
    void anAtTimeIsLocalToTheZoneFiresOnceAndMayNotExist() {
        var at = (ScheduleExpression.At) ScheduleExpression.parse("at(2026-12-24T18:00:00)");
        assertThat(at.instant(ZoneId.of("Europe/Berlin"))).isEqualTo(Instant.parse("2026-12-24T17:00:00Z"));
        assertThat(at.next(Instant.parse("2026-12-24T16:59:59Z"), ZoneId.of("Europe/Berlin"), Instant.EPOCH))
                .isEqualTo(Instant.parse("2026-12-24T17:00:00Z"));
        assertThat(at.next(Instant.parse("2026-12-24T17:00:00Z"), ZoneId.of("Europe/Berlin"), Instant.EPOCH)).isNull();
        var gap = new ScheduleExpression.At("at(2026-03-29T02:30:00)", LocalDateTime.parse("2026-03-29T02:30:00"));
        assertThat(gap.instant(ZoneId.of("Europe/Berlin"))).isNull();
        var twice = new ScheduleExpression.At("at(2026-10-25T02:30:00)", LocalDateTime.parse("2026-10-25T02:30:00"));
        assertThat(twice.instant(ZoneId.of("Europe/Berlin"))).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    }

    @Test
    void missedFiresAreCountedBetweenTwoTimes() {
        var cron = ScheduleExpression.parse("cron(0 * * * ? *)");
        assertThat(ScheduleFirer.count(cron, ZoneId.of("UTC"), Instant.EPOCH, Instant.parse("2026-12-24T10:00:00Z"),
                Instant.parse("2026-12-24T12:00:00Z"))).isEqualTo(2);
        var rate = ScheduleExpression.parse("rate(5 minutes)");
        Instant anchor = Instant.parse("2026-12-24T10:00:00Z");
        assertThat(ScheduleFirer.count(rate, ZoneId.of("UTC"), anchor, anchor, Instant.parse("2026-12-24T12:00:00Z")))
                .isEqualTo(24);
        var minutely = ScheduleExpression.parse("cron(* * * * ? *)");
        assertThat(ScheduleFirer.count(minutely, ZoneId.of("UTC"), Instant.EPOCH, anchor, anchor.plusSeconds(30 * 86400L)))
                .isEqualTo(ScheduleFirer.MAX_COUNTED);
    }
}
