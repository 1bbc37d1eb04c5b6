package dev.kickoff.core.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.FreshIds;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.ScheduleFires;
import dev.kickoff.core.port.ScheduleStore;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.schema.PreparedInput;
import dev.kickoff.core.schema.SchemaFinding;
import dev.kickoff.core.template.Templates;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowKind;
import dev.kickoff.core.workflow.WorkflowVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The management API's schedules: create, read, list, edit (pause, resume, a new expression, time zone or input) and
 * delete, each checked before anything is stored. A schedule's input is checked against its workflow's
 * {@code inputSchema} when it is saved (and again at every fire, by the run's start); its expression must fire at
 * least once more. A save whose next fire is due within the sweep's look-ahead sends that fire at once, held back to
 * its time, so that a schedule made a minute before its first fire does not wait for the next sweep.
 */
public final class ScheduleService {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleService.class);

    public static final int MAX_PER_WORKFLOW = 100;
    public static final int MAX_DESCRIPTION = 500;
    public static final int MAX_INPUT_BYTES = 64 * 1024;
    public static final int NEXT_FIRES_SHOWN = 5;
    public static final String DEFAULT_TIMEZONE = "UTC";
    static final Set<String> CREATE_KEYS = Set.of("expression", "timezone", "input", "description", "status");
    static final Set<String> UPDATE_KEYS = CREATE_KEYS;

    private final WorkflowStore workflows;
    private final VersionCache versions;
    private final ScheduleStore store;
    private final ScheduleFires fires;
    private final IdGenerator ids;
    private final Clock clock;

    public ScheduleService(WorkflowStore workflows, VersionCache versions, ScheduleStore store, ScheduleFires fires,
                           IdGenerator ids, Clock clock) {
        this.workflows = workflows;
        this.versions = versions;
        this.store = store;
        this.fires = fires;
        this.ids = ids;
        this.clock = clock;
    }

    public Schedule create(long orgId, long workflowId, ObjectNode body) {
        Workflow workflow = schedulable(orgId, workflowId);
        onlyKeys(body, CREATE_KEYS);
        List<FieldError> problems = new ArrayList<>();
        JsonNode expressionNode = body.get("expression");
        if (expressionNode == null || expressionNode.isNull()) {
            problems.add(new FieldError("/expression", "expression is required: cron(…), rate(…) or at(…)"));
        }
        Edit edit = read(body, problems, null);
        Instant now = now();
        Schedule.Status status = edit.status == null ? Schedule.Status.ACTIVE : edit.status;
        String timezone = edit.timezone == null ? DEFAULT_TIMEZONE : edit.timezone;
        JsonNode input = edit.input == null ? Json.object() : edit.input;
        Instant first = problems.isEmpty() ? firstFire(edit.expression, timezone, now, now, problems) : null;
        Instant next = status == Schedule.Status.PAUSED ? null : first;
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        checkInput(workflow, input);
        Schedule stored = FreshIds.store(() -> {
            Schedule s = new Schedule(ids.next(), orgId, workflowId, edit.expression.text(), timezone, input,
                    edit.description, status, now, now, now, 1, next, null, null, List.of(), Schedule.Counts.NONE);
            if (!store.create(s, MAX_PER_WORKFLOW)) {
                String message = "a workflow can have at most " + MAX_PER_WORKFLOW + " schedules; delete one first";
                throw new KickoffException(Reason.VALIDATION_FAILED, message, List.of(new FieldError("", message)));
            }
            return s;
        });
        sendIfSoon(stored, now);
        return stored;
    }

    public Schedule get(long orgId, long workflowId, long scheduleId) {
        if (workflowId <= 0 || scheduleId <= 0) {
            throw notFound();
        }
        return store.find(orgId, workflowId, scheduleId).orElseThrow(ScheduleService::notFound);
    }

    public List<Schedule> list(long orgId, long workflowId) {
        if (workflowId <= 0 || workflows.find(orgId, workflowId).isEmpty()) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        return store.list(orgId, workflowId);
    }

    /**
     * Applies what the body names: {@code status} ({@code paused} takes the schedule out of the wake-up index;
     * {@code active} puts it back at its next fire after now), {@code expression} (a rate counts again from now),
     * {@code timezone}, {@code input}, {@code description}. Conditional on the version read; a concurrent edit is
     * a 409.
     */
    public Schedule update(long orgId, long workflowId, long scheduleId, ObjectNode body) {
        Schedule current = get(orgId, workflowId, scheduleId);
        onlyKeys(body, UPDATE_KEYS);
        if (body.isEmpty()) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "name at least one of: expression, timezone, input,"
                    + " description, status", List.of(new FieldError("", "the body names nothing to change")));
        }
        List<FieldError> problems = new ArrayList<>();
        if (body.has("expression") && body.get("expression").isNull()) {
            problems.add(new FieldError("/expression", "expression cannot be removed"));
        }
        Edit edit = read(body, problems, current);
        Instant now = now();
        ScheduleExpression expression = edit.expression != null ? edit.expression : current.parsedExpression();
        String timezone = edit.timezone != null ? edit.timezone : current.timezone();
        JsonNode input = edit.input != null ? edit.input : current.input();
        String description = body.has("description") ? edit.description : current.description();
        Schedule.Status status = edit.status != null ? edit.status : current.status();
        Instant anchor = edit.expression != null ? now : current.anchor();
        boolean timing = edit.expression != null || edit.timezone != null || status != current.status();
        Instant next = current.nextFireAt();
        if (status == Schedule.Status.PAUSED) {
            next = null;
        } else if (timing && problems.isEmpty()) {
            next = firstFire(expression, timezone, anchor, now, problems);
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        if (edit.input != null) {
            checkInput(schedulable(orgId, workflowId), input);
        }
        Schedule edited = current.edited(expression.text(), timezone, input, description, status, anchor, next, now);
        if (!store.update(edited)) {
            throw new KickoffException(Reason.CONFLICT, "the schedule was changed or deleted by another request while"
                    + " this one was applied; read it again and retry");
        }
        if (timing) {
            sendIfSoon(edited, now);
        }
        return edited;
    }

    public void delete(long orgId, long workflowId, long scheduleId) {
        if (workflowId <= 0 || scheduleId <= 0 || !store.delete(orgId, workflowId, scheduleId)) {
            throw notFound();
        }
    }

    /** What a body says, each part checked; problems are collected rather than thrown one by one. */
    private record Edit(ScheduleExpression expression, String timezone, JsonNode input, String description,
                        Schedule.Status status) {
    }

    private Edit read(ObjectNode body, List<FieldError> problems, Schedule current) {
        ScheduleExpression expression = null;
        JsonNode e = body.get("expression");
        if (e != null && !e.isNull()) {
            if (!e.isTextual()) {
                problems.add(new FieldError("/expression", "expression must be a string"));
            } else {
                try {
                    expression = ScheduleExpression.parse(e.textValue());
                } catch (IllegalArgumentException ex) {
                    problems.add(new FieldError("/expression", ex.getMessage()));
                }
            }
        }
        String timezone = null;
        JsonNode tz = body.get("timezone");
        if (tz != null && !(tz.isNull() && current == null)) {
            if (!tz.isTextual()) {
                problems.add(new FieldError("/timezone", "timezone must be an IANA time zone name such as"
                        + " Europe/Berlin or UTC"));
            } else if (!validZone(tz.textValue())) {
                problems.add(new FieldError("/timezone", "'" + tz.textValue() + "' is not an IANA time zone name"
                        + " (e.g. Europe/Berlin, America/New_York, UTC)"));
            } else {
                timezone = tz.textValue();
            }
        }
        JsonNode input = null;
        JsonNode in = body.get("input");
        if (in != null) {
            if (in.isNull()) {
                input = Json.object();
            } else if (!in.isObject()) {
                problems.add(new FieldError("/input", "input must be a JSON object"));
            } else if (Json.sizeOf(in) > MAX_INPUT_BYTES) {
                problems.add(new FieldError("/input", "input is larger than " + MAX_INPUT_BYTES / 1024 + " KiB"));
            } else {
                input = in;
            }
        }
        String description = null;
        JsonNode d = body.get("description");
        if (d != null && !d.isNull()) {
            if (!d.isTextual()) {
                problems.add(new FieldError("/description", "description must be a string"));
            } else if (d.textValue().length() > MAX_DESCRIPTION) {
                problems.add(new FieldError("/description", "description is longer than " + MAX_DESCRIPTION
                        + " characters"));
            } else {
                description = d.textValue();
            }
        }
        Schedule.Status status = null;
        JsonNode st = body.get("status");
        if (st != null) {
            status = st.isTextual() ? Schedule.Status.fromWire(st.textValue()).orElse(null) : null;
            if (status == null) {
                problems.add(new FieldError("/status", "status is \"active\" or \"paused\""));
            }
        }
        return new Edit(expression, timezone, input, description, status);
    }

    static boolean validZone(String name) {
        // IANA names only, as EventBridge Scheduler takes them: no bare offsets such as +02:00.
        return name != null && !name.isEmpty() && (ZoneId.getAvailableZoneIds().contains(name) || name.equals("UTC"));
    }

    /**
     * The first fire of a schedule whose expression was set at {@code anchor}, looking from {@code now}: an
     * expression that will never fire again (an {@code at} in the past, a cron of past years or of a day no month has)
     * is refused, and so is an {@code at} time the zone skips.
     */
    private static Instant firstFire(ScheduleExpression expression, String timezone, Instant anchor, Instant now,
                                     List<FieldError> problems) {
        ZoneId zone = ZoneId.of(timezone);
        if (expression instanceof ScheduleExpression.At at && at.instant(zone) == null) {
            problems.add(new FieldError("/expression", at.text() + " does not exist in " + timezone
                    + ": the clocks move forward over that time"));
            return null;
        }
        // A rate fires at its anchor first (now, for a new expression): look from just before it.
        Instant from = now.equals(anchor) ? now.minusMillis(1) : now;
        Instant next = expression.next(from, zone, anchor);
        if (next == null) {
            problems.add(new FieldError("/expression", expression.text() + " never fires after "
                    + offsetTime(now, zone) + (expression instanceof ScheduleExpression.At ? ": it is in the past" : "")));
            return null;
        }
        return next;
    }

    private void sendIfSoon(Schedule s, Instant now) {
        if (s.nextFireAt() == null || s.nextFireAt().isAfter(now.plus(ScheduleSweep.LOOKAHEAD))) {
            return;
        }
        Duration delay = Duration.between(now, s.nextFireAt());
        try {
            fires.send(List.of(new ScheduleFires.Pending(s.orgId(), s.workflowId(), s.id(), s.nextFireAt(),
                    delay.isNegative() ? Duration.ZERO : delay)));
        } catch (RuntimeException e) {
            // The wake-up index has it: the next sweep sends it (up to a minute later than it could have).
            LOG.warn("schedule {}: could not send its first fire now ({}); the sweep will", s.id(), e.toString());
        }
    }

    /** A workflow that schedules may start: in the organization, neither a ticketing nor a direct case workflow. */
    private Workflow schedulable(long orgId, long workflowId) {
        Workflow workflow = workflowId <= 0 ? null : workflows.find(orgId, workflowId).orElse(null);
        if (workflow == null) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        if (workflow.kind() != WorkflowKind.STANDARD) {
            throw new KickoffException(Reason.WORKFLOW_NOT_TRIGGERABLE, workflow.kind().wireName()
                    + " workflows cannot be started by a schedule");
        }
        return workflow;
    }

    /**
     * The input against the inputSchema of the version a fire would start now: the published one, or the latest
     * draft while none is published (its fires fail until one is). Problems point into the body ({@code /input/…}).
     */
    private void checkInput(Workflow workflow, JsonNode input) {
        int version = workflow.published() ? workflow.publishedVersion() : workflow.latestVersion();
        WorkflowVersion v = versions.get(workflow.orgId(), workflow.id(), version).orElse(null);
        JsonNode schema = v == null ? null : v.definition().inputSchema();
        if (schema == null) {
            return;
        }
        PreparedInput prepared = JsonSchemas.prepareInput(schema, input);
        if (!prepared.valid()) {
            List<FieldError> errors = new ArrayList<>();
            for (SchemaFinding f : prepared.findings()) {
                FieldError inner = f.violation().toFieldError();
                errors.add(new FieldError("/input" + inner.path(), inner.message()));
            }
            throw new KickoffException(Reason.INPUT_VALIDATION_FAILED, "the schedule's input breaks the workflow's"
                    + " inputSchema", errors);
        }
    }

    private static void onlyKeys(ObjectNode body, Set<String> allowed) {
        List<FieldError> unknown = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                unknown.add(new FieldError("/" + Templates.escape(k), "unsupported key; the body accepts only: "
                        + String.join(", ", allowed.stream().sorted().toList())));
            }
        }
        if (!unknown.isEmpty()) {
            throw new KickoffException(Reason.UNSUPPORTED_BODY_KEY, "the body accepts only the keys "
                    + String.join(", ", allowed.stream().sorted().toList()), unknown);
        }
    }

    private static KickoffException invalid(List<FieldError> problems) {
        return new KickoffException(Reason.VALIDATION_FAILED, "the schedule is invalid", problems);
    }

    private static KickoffException notFound() {
        return new KickoffException(Reason.SCHEDULE_NOT_FOUND, "schedule not found");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---- the public JSON

    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    /** RFC 3339 in the schedule's zone, with its offset: {@code 2026-12-24T18:00:00+01:00}. */
    public static String offsetTime(Instant instant, ZoneId zone) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), zone)
                .format(OFFSET);
    }

    /** The {@code schedule} object of the management API. */
    public static ObjectNode render(Schedule s, Instant now) {
        ZoneId zone = s.zone();
        ObjectNode o = Json.object();
        o.put("id", s.id());
        o.put("workflow_id", s.workflowId());
        o.put("expression", s.expression());
        o.put("timezone", s.timezone());
        o.set("input", s.input());
        o.put("description", s.description());
        o.put("status", s.status().wireName());
        ArrayNode next = o.putArray("next_fire_times");
        s.nextFires(now, NEXT_FIRES_SHOWN).forEach(t -> next.add(offsetTime(t, zone)));
        o.put("last_fired_at", offsetTime(s.lastFiredAt(), zone));
        if (s.lastRunId() == null) {
            o.putNull("last_run_id");
        } else {
            o.put("last_run_id", s.lastRunId());
        }
        ObjectNode counts = o.putObject("fires");
        counts.put("started", s.counts().started());
        counts.put("failed", s.counts().failed());
        counts.put("skipped", s.counts().skipped());
        counts.put("missed", s.counts().missed());
        ArrayNode recent = o.putArray("recent_fires");
        for (Schedule.Fire f : s.recentFires()) {
            ObjectNode r = recent.addObject();
            r.put("fire_time", offsetTime(f.fireTime(), zone));
            r.put("outcome", f.outcome());
            if (f.runId() == null) {
                r.putNull("run_id");
            } else {
                r.put("run_id", f.runId());
            }
            r.put("code", f.code());
            r.put("message", f.message());
            if (Schedule.Fire.MISSED.equals(f.outcome())) {
                r.put("count", f.count());
            }
            r.put("recorded_at", f.recordedAt() == null ? null : f.recordedAt().truncatedTo(ChronoUnit.SECONDS)
                    .toString());
        }
        o.put("created_at", s.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("updated_at", s.updatedAt().truncatedTo(ChronoUnit.SECONDS).toString());
        return o;
    }

    /** {@code {"schedule": {…}}}, its next fires as of now. */
    public ObjectNode json(Schedule s) {
        ObjectNode out = Json.object();
        out.set("schedule", render(s, clock.instant()));
        return out;
    }

    /** {@code {"schedules": [{…}, …]}}, oldest first. */
    public ObjectNode json(List<Schedule> schedules) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("schedules");
        Instant now = clock.instant();
        schedules.forEach(s -> items.add(render(s, now)));
        return out;
    }
}
