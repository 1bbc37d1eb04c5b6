package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** EventBridge schedule expressions and the Scheduled Event the local stack invokes handlers with. */
class ScheduleEventSourceTest {
    static final Instant T = Instant.parse("2026-05-28T17:04:12Z");  // a Thursday

    static Instant next(String expression, Instant after) {
        return ScheduleEventSource.parse(expression, ZoneOffset.UTC).next(after).orElseThrow();
    }

    @Test
    void ratesFireEveryPeriodFromTheirStart() {
        var every5 = ScheduleEventSource.rate(Duration.ofMinutes(5), T);
        assertThat(every5.next(T)).contains(T.plusSeconds(300));
        assertThat(every5.next(T.plusSeconds(299))).contains(T.plusSeconds(300));
        assertThat(every5.next(T.plusSeconds(300))).contains(T.plusSeconds(600));
        Instant now = Instant.now();
        Instant first = next("rate(1 minute)", now);  // counted from the parse, a moment after now
        assertThat(Duration.between(now, first)).isBetween(Duration.ofMinutes(1), Duration.ofSeconds(61));
        assertThat(Duration.between(now, next("rate(2 hours)", now)))
                .isBetween(Duration.ofHours(2), Duration.ofHours(2).plusSeconds(1));
        assertThat(Duration.between(now, next("rate(1 day)", now)))
                .isBetween(Duration.ofDays(1), Duration.ofDays(1).plusSeconds(1));
    }

    @Test
    void cronUsesEventBridgesSixFields() {
        assertThat(next("cron(0 12 * * ? *)", T)).isEqualTo(Instant.parse("2026-05-29T12:00:00Z"));
        assertThat(next("cron(15 10 ? * 6L 2026)", T)).as("the last Friday of the month")
                .isEqualTo(Instant.parse("2026-05-29T10:15:00Z"));
        assertThat(next("cron(0/15 * ? * MON-FRI *)", T)).isEqualTo(Instant.parse("2026-05-28T17:15:00Z"));
        assertThat(next("cron(0 8 1 * ? *)", T)).isEqualTo(Instant.parse("2026-06-01T08:00:00Z"));
        assertThat(next("cron(0 18 ? * 1 *)", T)).as("1 is Sunday").isEqualTo(Instant.parse("2026-05-31T18:00:00Z"));
        assertThat(ScheduleEventSource.parse("cron(0 12 * * ? *)", ZoneId.of("Europe/Paris")).next(T))
                .contains(Instant.parse("2026-05-29T10:00:00Z"));
        assertThat(ScheduleEventSource.parse("cron(0 12 * * ? 2020)", ZoneOffset.UTC).next(T)).isEmpty();
    }

    @Test
    void aOneTimeScheduleFiresOnce() {
        var once = ScheduleEventSource.parse("at(2026-06-01T09:30:00)", ZoneOffset.UTC);
        assertThat(once.next(T)).contains(Instant.parse("2026-06-01T09:30:00Z"));
        assertThat(once.next(Instant.parse("2026-06-01T09:30:00Z"))).isEmpty();
    }

    @Test
    void expressionsEventBridgeRefusesAreRefused() {
        for (String bad : List.of("rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 seconds)",
                "cron(* * * * * *)", "cron(0 12 * * ?)", "cron(0 25 * * ? *)", "every minute", "")) {
            assertThatThrownBy(() -> ScheduleEventSource.parse(bad, ZoneOffset.UTC)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    static final String TEMPLATE = """
            Resources:
              Sweeper:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: a.Sweeper::handleRequest
                  CodeUri: x.jar
                  Timeout: 45
                  Events:
                    Tick:
                      Type: Schedule
                      Properties:
                        Schedule: rate(1 minute)
                    Paused:
                      Type: Schedule
                      Properties:
                        Schedule: cron(0 12 * * ? *)
                        Enabled: false
                    Later:
                      Type: ScheduleV2
                      Properties:
                        ScheduleExpression: rate(5 minutes)
                        State: DISABLED
            """;

    @Test
    void theHandlerGetsAScheduledEventShapedLikeEventBridgesAndAContextWithTheFunctionsTimeout() {
        var resources = new StackResources(CloudFormationTemplate.parse(TEMPLATE), "s1", "eu-west-1", "000000000000");
        FunctionSpec spec = FunctionSpec.of("Sweeper", resources);
        List<ScheduledEvent> events = new ArrayList<>();
        List<Integer> remaining = new ArrayList<>();
        RequestHandler<ScheduledEvent, String> handler = (ScheduledEvent e, Context c) -> {
            events.add(e);
            remaining.add(c.getRemainingTimeInMillis());
            return "swept";
        };
        var tick = spec.events(EventSource.Schedule.class).stream().filter(s -> s.name().equals("Tick")).findFirst()
                .orElseThrow();
        var source = new ScheduleEventSource(resources, spec, tick, handler);
        assertThat(source.enabled()).isTrue();
        assertThat(source.fire(T)).isEqualTo("swept");
        ScheduledEvent e = events.getFirst();
        assertThat(e.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(e.getSource()).isEqualTo("aws.events");
        assertThat(e.getVersion()).isEqualTo("0");
        assertThat(e.getId()).isNotBlank();
        assertThat(e.getAccount()).isEqualTo("000000000000");
        assertThat(e.getRegion()).isEqualTo("eu-west-1");
        assertThat(e.getTime().getMillis()).isEqualTo(T.toEpochMilli());
        assertThat(e.getResources()).containsExactly("arn:aws:events:eu-west-1:000000000000:rule/s1-SweeperTick");
        assertThat(e.getDetail()).isEmpty();
        assertThat(remaining.getFirst()).isBetween(44_000, 45_000);
        assertThat(source.invocations()).isEqualTo(1);

        for (String name : List.of("Paused", "Later")) {
            var disabled = spec.events(EventSource.Schedule.class).stream().filter(s -> s.name().equals(name))
                    .findFirst().orElseThrow();
            var off = new ScheduleEventSource(resources, spec, disabled, handler).start();
            assertThat(off.enabled()).as(name).isFalse();
            off.close();
        }
    }

    @Test
    void aStartedScheduleFiresOnItsOwnUntilClosed() throws Exception {
        var resources = new StackResources(CloudFormationTemplate.parse(TEMPLATE), "s1", "eu-west-1", "000000000000");
        FunctionSpec spec = FunctionSpec.of("Sweeper", resources);
        List<Instant> times = java.util.Collections.synchronizedList(new ArrayList<>());
        RequestHandler<ScheduledEvent, String> handler = (ScheduledEvent e, Context c) -> {
            times.add(Instant.ofEpochMilli(e.getTime().getMillis()));
            return null;
        };
        var tick = spec.events(EventSource.Schedule.class).getFirst();
        Instant origin = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        var source = new ScheduleEventSource(resources, spec, tick, handler,
                ScheduleEventSource.rate(Duration.ofMillis(200), origin)).start();
        for (int i = 0; i < 50 && times.size() < 3; i++) {
            Thread.sleep(50);
        }
        source.close();
        assertThat(times).hasSizeGreaterThanOrEqualTo(3);
        assertThat(times.subList(0, 3)).as("each event carries its scheduled time")
                .containsExactly(origin.plusMillis(200), origin.plusMillis(400), origin.plusMillis(600));
        int fired = times.size();
        Thread.sleep(500);
        assertThat(times).as("closed: no more").hasSize(fired);
    }
}
