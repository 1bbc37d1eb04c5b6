package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an EventBridge schedule does to its function, on one machine: at each time its expression names, invokes the
 * handler with a {@link ScheduledEvent} shaped like EventBridge's ({@code "detail-type": "Scheduled Event"},
 * {@code "source": "aws.events"} — {@code aws.scheduler} for {@code ScheduleV2} —, the rule's ARN in
 * {@code resources}, an empty {@code detail}). Expressions: {@code rate(1 minute)}, {@code rate(5 minutes)},
 * {@code rate(2 hours)}, {@code rate(1 day)}; {@code cron(minutes hours day-of-month month day-of-week year)} with
 * EventBridge's rules (one of the two day fields is {@code ?}; days of the week 1-7 are SUN-SAT; {@code L},
 * {@code W}, {@code #}), in UTC or {@code ScheduleExpressionTimezone}; and {@code at(2026-05-28T17:04:12)}.
 * A disabled schedule ({@code Enabled: false}, {@code State: DISABLED}) never fires. One invocation at a time:
 * a tick that comes while the last invocation still runs fires once it ends (EventBridge would overlap them).
 */
public final class ScheduleEventSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleEventSource.class);
    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");
    private static final Pattern CRON = Pattern.compile("cron\\((.+)\\)");
    private static final Pattern AT = Pattern.compile("at\\((\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\)");

    /** When a schedule fires. */
    public interface Schedule {
        /** The first time strictly after {@code after} that the schedule fires; empty when it never fires again. */
        Optional<Instant> next(Instant after);
    }

    private final FunctionSpec function;
    private final EventSource.Schedule source;
    private final RequestHandler<ScheduledEvent, ?> handler;
    private final Schedule schedule;
    private final boolean enabled;
    private final boolean v2;
    private final String ruleArn;
    private final String region;
    private final String account;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger invocations = new AtomicInteger();
    private Thread ticker;

    public ScheduleEventSource(StackResources resources, FunctionSpec function, EventSource.Schedule source,
                               RequestHandler<ScheduledEvent, ?> handler) {
        this(resources, function, source, handler, null);
    }

    /** With {@code timing} instead of the source's expression (tests: EventBridge's finest rate is a minute). */
    ScheduleEventSource(StackResources resources, FunctionSpec function, EventSource.Schedule source,
                        RequestHandler<ScheduledEvent, ?> handler, Schedule timing) {
        if (source.input() != null) {
            throw new IllegalArgumentException(function.logicalId() + "/" + source.name()
                    + ": a schedule's Input replaces the Scheduled Event, which the local stack does not emulate");
        }
        this.function = function;
        this.source = source;
        this.handler = handler;
        Map<String, Object> p = source.properties();
        this.v2 = p.containsKey("ScheduleExpression");
        Object zone = p.get("ScheduleExpressionTimezone");
        Schedule parsed = parse(source.expression(), zone == null ? ZoneOffset.UTC : ZoneId.of(resources.text(zone)));
        this.schedule = timing == null ? parsed : timing;
        this.enabled = !"false".equalsIgnoreCase(String.valueOf(resources.resolve(p.getOrDefault("Enabled", "true"))))
                && !"DISABLED".equalsIgnoreCase(String.valueOf(resources.resolve(p.getOrDefault("State", "ENABLED"))));
        this.region = resources.text(new Intrinsic.Ref("AWS::Region"));
        this.account = resources.text(new Intrinsic.Ref("AWS::AccountId"));
        String name = resources.stackName() + "-" + function.logicalId() + source.name();
        this.ruleArn = v2 ? "arn:aws:scheduler:" + region + ":" + account + ":schedule/default/" + name
                : "arn:aws:events:" + region + ":" + account + ":rule/" + name;
    }

    /** Parses an EventBridge schedule expression; {@link IllegalArgumentException} names what is wrong. */
    public static Schedule parse(String expression, ZoneId zone) {
        String text = expression == null ? "" : expression.trim();
        Matcher rate = RATE.matcher(text);
        if (rate.matches()) {
            long value = Long.parseLong(rate.group(1));
            String unit = rate.group(2);
            if (value < 1) {
                throw new IllegalArgumentException("the value of " + text + " must be positive");
            }
            if ((value == 1) == unit.endsWith("s")) {
                throw new IllegalArgumentException(text + ": EventBridge wants the singular unit for 1 and the plural "
                        + "otherwise, e.g. rate(1 minute), rate(5 minutes)");
            }
            Duration period = switch (unit.replaceAll("s$", "")) {
                case "minute" -> Duration.ofMinutes(value);
                case "hour" -> Duration.ofHours(value);
                default -> Duration.ofDays(value);
            };
            return rate(period, Instant.now());
        }
        Matcher cron = CRON.matcher(text);
        if (cron.matches()) {
            return cron(cron.group(1).trim(), zone);
        }
        Matcher at = AT.matcher(text);
        if (at.matches()) {
            Instant when = LocalDateTime.parse(at.group(1)).atZone(zone).toInstant();
            return after -> after.isBefore(when) ? Optional.of(when) : Optional.empty();
        }
        throw new IllegalArgumentException("not an EventBridge schedule expression: '" + text
                + "' (rate(5 minutes), cron(0 12 * * ? *) or at(2026-05-28T17:04:12))");
    }

    /** Every {@code period} from {@code origin} (EventBridge counts from the rule's creation). */
    static Schedule rate(Duration period, Instant origin) {
        return after -> {
            long elapsed = Math.max(0, Duration.between(origin, after).toMillis());
            long periods = elapsed / period.toMillis() + 1;
            return Optional.of(origin.plus(period.multipliedBy(periods)));
        };
    }

    /** EventBridge's six fields are Quartz's seven without the seconds. */
    static Schedule cron(String fields, ZoneId zone) {
        List<String> parts = List.of(fields.split("\\s+"));
        if (parts.size() != 6) {
            throw new IllegalArgumentException("cron(" + fields + ") needs six fields: minutes hours day-of-month "
                    + "month day-of-week year");
        }
        if (!"?".equals(parts.get(2)) && !"?".equals(parts.get(4))) {
            throw new IllegalArgumentException("cron(" + fields + "): one of day-of-month and day-of-week must be '?'");
        }
        ExecutionTime execution;
        try {
            execution = ExecutionTime.forCron(new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ))
                    .parse("0 " + fields.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cron(" + fields + "): " + e.getMessage(), e);
        }
        return after -> execution.nextExecution(after.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    /** Fires on the schedule until closed (a disabled schedule never fires). */
    public ScheduleEventSource start() {
        if (!enabled || !running.compareAndSet(false, true)) {
            return this;
        }
        ticker = Thread.ofPlatform().daemon().name(function.logicalId() + "-" + source.name()).start(() -> {
            Instant last = Instant.now();
            while (running.get()) {
                Optional<Instant> next = schedule.next(last);
                if (next.isEmpty()) {
                    return;
                }
                long wait = Duration.between(Instant.now(), next.get()).toMillis();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!running.get()) {
                    return;
                }
                last = next.get();
                try {
                    fire(last);
                } catch (RuntimeException | Error e) {
                    // Lambda would retry an asynchronous invocation; the next tick does the same job here.
                    LOG.warn("{} failed its scheduled invocation: {}", function.logicalId(), e.toString());
                }
            }
        });
        return this;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Invokes the handler now, as the schedule would at {@code time}; returns what it answered. */
    public Object fire(Instant time) {
        invocations.incrementAndGet();
        return handler.handleRequest(event(time), new LocalLambdaContext(function));
    }

    public int invocations() {
        return invocations.get();
    }

    /** The event EventBridge sends: its time is the scheduled time, not the moment of delivery. */
    ScheduledEvent event(Instant time) {
        ScheduledEvent event = new ScheduledEvent();
        event.setVersion("0");
        event.setId(UUID.randomUUID().toString());
        event.setDetailType("Scheduled Event");
        event.setSource(v2 ? "aws.scheduler" : "aws.events");
        event.setAccount(account);
        event.setTime(new DateTime(time.toEpochMilli(), DateTimeZone.UTC));
        event.setRegion(region);
        event.setResources(List.of(ruleArn));
        event.setDetail(Map.of());
        return event;
    }

    @Override
    public void close() {
        running.set(false);
        if (ticker != null) {
            ticker.interrupt();
        }
    }
}
