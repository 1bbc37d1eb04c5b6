package dev.kickoff.core.run;

import dev.kickoff.core.id.FreshIds;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.IdempotencyStore;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.TriggerReads;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.schema.PreparedInput;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowKind;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Starting runs and reading them back, for every API shape. {@link #start} is the trigger edge they share: the
 * input is checked against the workflow's {@code inputSchema} (defaults applied, unknown fields of closed objects
 * removed) before any run exists, and an idempotency key makes retries return the run the first request created.
 */
public final class RunService {
    public static final int MAX_CONNECTION_ID_LENGTH = 200;
    /**
     * A key claimed this long ago whose run is still not stored was abandoned (its creator died between the claim and
     * the run's write, which take milliseconds; the API function's timeout is 10 s): the next request takes it over.
     */
    public static final Duration ABANDONED_KEY = Duration.ofSeconds(30);
    /** Fresh IDs drawn for one keyed run before giving up (see {@link FreshIds}). */
    static final int MAX_ID_ATTEMPTS = 5;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    public static final Duration DEFAULT_IDEMPOTENCY_TTL = Duration.ofHours(24);
    /** Letters, digits and {@code _ . : -}: what connection IDs such as {@code conn_production_stripe} are made of. */
    static final Pattern CONNECTION_ID = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_CONNECTION_ID_LENGTH + "}");
    /** Visible ASCII, no spaces: safe in a header, a log line and a DynamoDB key alike. */
    static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1," + MAX_IDEMPOTENCY_KEY_LENGTH + "}");
    /** Attempts to take a key that concurrent requests contend for, before answering 409 "in progress". */
    static final int MAX_KEY_ATTEMPTS = 12;

    private final WorkflowStore workflows;
    private final VersionCache versions;
    private final RunStore runs;
    private final IdempotencyStore idempotency;
    private final RunLauncher launcher;
    private final IdGenerator ids;
    private final Clock clock;
    private final RunObserver observer;
    private final Duration idempotencyTtl;
    /** The monthly run quota, checked before a run is created (never for an idempotent replay). */
    private final dev.kickoff.core.usage.RunQuota quota;

    /** The run was created by this request, or {@code replayed}: an earlier request with the same key created it. */
    public record Triggered(Run run, boolean replayed) {
    }

    /** Without idempotency keys (they are refused as unconfigured) and with a private version cache. */
    public RunService(WorkflowStore workflows, RunStore runs, RunQueue queue, IdGenerator ids, Clock clock,
                      RunObserver observer) {
        this(workflows, new VersionCache(workflows, 64), runs, IdempotencyStore.NONE, queue, ids, clock, observer,
                DEFAULT_IDEMPOTENCY_TTL);
    }

    public RunService(WorkflowStore workflows, VersionCache versions, RunStore runs, IdempotencyStore idempotency,
                      RunQueue queue, IdGenerator ids, Clock clock, RunObserver observer, Duration idempotencyTtl) {
        this(workflows, versions, runs, idempotency, queue, ids, clock, observer, idempotencyTtl,
                dev.kickoff.core.usage.RunQuota.NONE);
    }

    public RunService(WorkflowStore workflows, VersionCache versions, RunStore runs, IdempotencyStore idempotency,
                      RunQueue queue, IdGenerator ids, Clock clock, RunObserver observer, Duration idempotencyTtl,
                      dev.kickoff.core.usage.RunQuota quota) {
        this.quota = quota;
        this.workflows = workflows;
        this.versions = versions;
        this.runs = runs;
        this.idempotency = idempotency;
        this.launcher = new RunLauncher(queue, observer);
        this.ids = ids;
        this.clock = clock;
        this.observer = observer;
        this.idempotencyTtl = idempotencyTtl;
    }

    /**
     * The published workflow a caller may start, or the refusal: unknown and other organizations' workflows
     * are not found, unpublished ones are {@link Reason#WORKFLOW_NOT_PUBLISHED}, and ticketing and direct case
     * workflows cannot be started as plain runs.
     */
    public Workflow startable(Principal principal, long workflowId) {
        return startable(principal, workflowId, null);
    }

    /** {@link #startable(Principal, long)}, answered from {@code read} when this request already read that head. */
    private Workflow startable(Principal principal, long workflowId, TriggerReads.Head read) {
        Optional<Workflow> answer = read == null ? null : read.answer(principal.orgId(), workflowId);
        Workflow workflow = workflowId <= 0 ? null
                : (answer != null ? answer : workflows.find(principal.orgId(), workflowId)).orElse(null);
        if (workflow == null) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        if (!workflow.published()) {
            throw new KickoffException(Reason.WORKFLOW_NOT_PUBLISHED,
                    "workflow " + workflowId + " is not published; publish it before starting runs");
        }
        if (workflow.kind() == WorkflowKind.TICKETING) {
            throw new KickoffException(Reason.WORKFLOW_NOT_TRIGGERABLE,
                    "ticketing workflows run off ticket events and cannot be started through the API");
        }
        if (workflow.kind() == WorkflowKind.DIRECT_CASE) {
            throw new KickoffException(Reason.WORKFLOW_NOT_TRIGGERABLE,
                    "direct case workflows start when a case is created: POST /api/external/v1/workflows/"
                            + workflowId + "/cases");
        }
        return workflow;
    }

    /**
     * Starts a run of the workflow's published version, or, when the request carries an idempotency key that
     * already created a run of this workflow within the key's lifetime, answers that run ({@code replayed}).
     * Refusals: the workflow's (see {@link #startable}), a malformed {@code connectionId} or key, an input that
     * breaks the {@code inputSchema} ({@link InputValidationException}), a key reused with a different request
     * ({@link Reason#IDEMPOTENCY_KEY_REUSED}), and a queue that refuses the run ({@link Reason#UNAVAILABLE}: nothing
     * was stored). Only a run this call created is queued.
     */
    public Triggered start(Principal principal, long workflowId, RunRequest request) {
        return start(principal, workflowId, request, null);
    }

    /**
     * {@link #start(Principal, long, RunRequest)} with the workflow's head as this request already read it
     * (strongly consistent, with the token: {@link TriggerAdmission}), or null to read it here.
     */
    public Triggered start(Principal principal, long workflowId, RunRequest request, TriggerReads.Head head) {
        JsonNode input = request.input() == null || request.input().isNull() ? Json.object() : request.input();
        if (!input.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "input must be a JSON object");
        }
        String connectionId = checkConnectionId(request.connectionId());
        String key = checkIdempotencyKey(request.idempotencyKey());
        Origin origin = Origin.of(principal);
        if (key == null) {
            Workflow workflow = startable(principal, workflowId, head);
            JsonNode checked = checkedInput(workflow, input);
            quota.check(principal.orgId());
            return new Triggered(FreshIds.store(() -> launch(newRun(principal, workflow, checked, connectionId, now(),
                    origin))), false);
        }
        if (workflowId <= 0) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        return startWithKey(principal, workflowId, key, RequestFingerprint.of(input, connectionId), input,
                connectionId, head, origin);
    }

    /** Who or what starts a run: an API token (every API shape), or a schedule's fire. */
    private record Origin(long triggerId, String type, String by, Instant fireTime) {
        static Origin of(Principal principal) {
            return new Origin(principal.tokenId(), RunTrigger.API, principal.tokenName(), null);
        }
    }

    /** The idempotency key of a schedule's fire: one run per schedule and fire time, however often it is delivered. */
    public static String fireKey(long scheduleId, Instant fireTime) {
        return "schedule:" + scheduleId + ":" + fireTime.toEpochMilli();
    }

    /**
     * Starts the run of one fire of a managed schedule: the workflow's published version, the schedule's input checked
     * against its {@code inputSchema} now, keyed by {@link #fireKey} so that a fire handled twice (at-least-once
     * delivery, or a retry after a crash) answers with the run it started the first time, whatever the schedule's input
     * has become since (the key's fingerprint is the fire itself). Refusals are a start's: the workflow's, the input's,
     * the monthly run quota's.
     */
    public Triggered startFire(long orgId, long workflowId, long scheduleId, Instant fireTime, JsonNode input) {
        Principal schedule = new Principal(orgId, scheduleId, "schedule " + scheduleId,
                new dev.kickoff.core.auth.Grant(java.util.Set.of(), java.util.Set.of()));
        String key = fireKey(scheduleId, fireTime);
        JsonNode in = input == null || input.isNull() ? Json.object() : input;
        return startWithKey(schedule, workflowId, key, "fire:" + key, in, null, null,
                new Origin(scheduleId, RunTrigger.SCHEDULE, "schedule " + scheduleId, fireTime));
    }

    /**
     * Replay ({@code POST …/runs/{run_id}/replay}, 201): a new run with the same input and workflow version
     * as {@code runId}, or with {@code latest} the workflow's published version (its {@code inputSchema} applied to that
     * input again, so a refusal is the same 422 as a start's), marked {@code replay_of}. Launched like every run.
     * Another organization's run is not found; a run of a workflow that cannot be started (unpublished now, a case
     * workflow) is refused as a start would be.
     */
    public Run replay(Principal principal, long workflowId, long runId, boolean latest) {
        return replay(principal, get(principal, workflowId, runId), latest);
    }

    /** {@link #replay(Principal, long, long, boolean)} by run ID alone (the management API). */
    public Run replay(Principal principal, long runId, boolean latest) {
        Run original = get(principal, runId);
        if (!principal.grant().allowsWorkflow(original.workflowId())) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return replay(principal, original, latest);
    }

    private Run replay(Principal principal, Run original, boolean latest) {
        Workflow workflow = startable(principal, original.workflowId());
        int version = latest ? workflow.publishedVersion() : original.workflowVersion();
        JsonNode input = latest ? checkedInput(workflow, original.input()) : original.input();
        quota.check(principal.orgId());
        return FreshIds.store(() -> {
            Instant now = now();
            Run fresh = new Run(ids.next(), principal.orgId(), workflow.id(), version, false, principal.tokenId(), "api",
                    principal.tokenName(), "live", input, original.connectionId(), null, now, RunStatus.PENDING, null,
                    null, List.of(), now, null, null, 0, null, null).asReplayOf(original.id());
            return launch(fresh);
        });
    }

    /** The one write order (see {@link RunLauncher}): queued, then stored. */
    private Run launch(Run run) {
        Run launched = launcher.launch(run, r -> {
            runs.create(r);
            return r;
        }, "the run could not be queued; it was not started.");
        quota.started(run.orgId());
        return launched;
    }

    /**
     * With an idempotency key: the key is claimed for a drawn run ID by one conditional write (of concurrent requests
     * with one key, exactly one wins), then that run is launched like any other. The others find the key and answer
     * with its run once it is stored, a few milliseconds later. A key whose run was never stored well after it was
     * claimed (its creator died between the two) is taken over by the next request that carries it.
     */
    private Triggered startWithKey(Principal principal, long workflowId, String key, String fingerprint,
                                   JsonNode input, String connectionId, TriggerReads.Head head, Origin origin) {
        Workflow workflow = null;
        JsonNode checked = null;
        for (int attempt = 0; attempt < MAX_KEY_ATTEMPTS; attempt++) {
            Instant now = now();
            IdempotencyRecord held = idempotency.find(principal.orgId(), workflowId, key, now).orElse(null);
            if (held != null) {
                if (!held.fingerprint().equals(fingerprint)) {
                    throw reused(key, held);
                }
                Run existing = runs.find(held.runId()).filter(r -> r.orgId() == principal.orgId()).orElse(null);
                if (existing != null) {
                    return new Triggered(existing, true);
                }
                if (held.createdAt().plus(ABANDONED_KEY).isAfter(now)) {
                    pause(attempt);  // the request that claimed it is storing its run right now
                    continue;
                }
            }
            if (workflow == null) {
                workflow = startable(principal, workflowId, head);
                checked = checkedInput(workflow, input);
                quota.check(principal.orgId());
            }
            Run run = newRun(principal, workflow, checked, connectionId, now, origin);
            IdempotencyRecord mine = record(principal, workflowId, key, fingerprint, run.id(), now);
            boolean claimed = held == null ? idempotency.claim(mine, now) : idempotency.reassign(mine, held.runId());
            if (claimed) {
                return new Triggered(launchKeyed(mine, run, principal, workflow, checked, connectionId, origin),
                        false);
            }
            // another request claimed (or took over) the key first: read it again
        }
        throw new KickoffException(Reason.CONFLICT,
                "another request with this idempotency key is being processed; retry in a moment");
    }

    private IdempotencyRecord record(Principal principal, long workflowId, String key, String fingerprint, long runId,
                                     Instant now) {
        return new IdempotencyRecord(principal.orgId(), workflowId, key, fingerprint, runId, now,
                now.plus(idempotencyTtl));
    }

    /** Launches the run the key names; on an ID collision the key is pointed at a fresh ID first. */
    private Run launchKeyed(IdempotencyRecord record, Run run, Principal principal, Workflow workflow, JsonNode input,
                            String connectionId, Origin origin) {
        IdempotencyRecord current = record;
        Run candidate = run;
        for (int i = 1; ; i++) {
            try {
                return launch(candidate);
            } catch (KickoffException e) {
                releaseQuietly(current);  // the run was not started; a retry must start a new one
                throw e;
            } catch (DuplicateIdException e) {
                if (i >= MAX_ID_ATTEMPTS) {
                    releaseQuietly(current);
                    throw e;
                }
                Run next = newRun(principal, workflow, input, connectionId, now(), origin);
                IdempotencyRecord moved = record(principal, workflow.id(), record.key(), record.fingerprint(),
                        next.id(), current.createdAt());
                if (!idempotency.reassign(moved, candidate.id())) {
                    throw new KickoffException(Reason.CONFLICT,
                            "another request with this idempotency key is being processed; retry in a moment");
                }
                current = moved;
                candidate = next;
            }
        }
    }

    private static KickoffException reused(String key, IdempotencyRecord record) {
        return new KickoffException(Reason.IDEMPOTENCY_KEY_REUSED, "idempotency key '" + key
                + "' was already used with a different request (input or connectionId) for this workflow at "
                + record.createdAt() + "; it is kept until " + record.expiresAt()
                + ". Repeat the original request to get its run, or use a new key for a new run.");
    }

    /** The input as the run will see it: the inputSchema's defaults applied, unknown fields of closed objects gone. */
    private JsonNode checkedInput(Workflow workflow, JsonNode input) {
        WorkflowVersion version = versions.get(workflow.orgId(), workflow.id(), workflow.publishedVersion())
                .orElseThrow(() -> new IllegalStateException("workflow " + workflow.id() + " has no version "
                        + workflow.publishedVersion()));
        JsonNode schema = version.definition().inputSchema();
        if (schema == null) {
            return input;
        }
        PreparedInput prepared = JsonSchemas.prepareInput(schema, input);
        if (!prepared.valid()) {
            throw new InputValidationException(prepared.findings(), prepared.value());
        }
        return prepared.value();
    }

    static String checkConnectionId(String connectionId) {
        if (connectionId != null && !CONNECTION_ID.matcher(connectionId).matches()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "connectionId must be 1 to " + MAX_CONNECTION_ID_LENGTH
                    + " letters, digits, '_', '.', ':' or '-'",
                    List.of(new FieldError("/connectionId", "must match " + CONNECTION_ID.pattern())));
        }
        return connectionId;
    }

    static String checkIdempotencyKey(String key) {
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "an idempotency key must be 1 to "
                    + MAX_IDEMPOTENCY_KEY_LENGTH + " visible ASCII characters (no spaces)");
        }
        return key;
    }

    private Run newRun(Principal principal, Workflow workflow, JsonNode input, String connectionId, Instant now,
                       Origin origin) {
        return new Run(ids.next(), principal.orgId(), workflow.id(), workflow.publishedVersion(), false,
                origin.triggerId(), origin.type(), origin.by(), "live", input, connectionId, null, now,
                RunStatus.PENDING, null, null, List.of(), now, null, null, 0, null, null, null, null, 0,
                origin.fireTime(), null);
    }

    private void releaseQuietly(IdempotencyRecord record) {
        try {
            idempotency.release(record);
        } catch (RuntimeException ignored) {
            // the key then names a failed run until it expires; the caller was told the run did not start
        }
    }

    private static void pause(int attempt) {
        long bound = Math.min(100, 5L << Math.min(attempt, 5));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, bound + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KickoffException(Reason.UNAVAILABLE, "interrupted; retry the request");
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The longest a caller may ask to wait for a run to settle ({@code Prefer: wait=N}, 1 to 25 s). */
    public static final Duration MAX_AWAIT = Duration.ofSeconds(25);
    /** Pauses between the reads of {@link #awaitSettled}: quick at first, then twice a second. */
    static final List<Duration> AWAIT_PAUSES = List.of(Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(500));

    /** How {@link #awaitSettled} waits between reads (a test passes one that moves its clock). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;
    }

    /**
     * Run-and-wait ({@code Prefer: wait=N}): the run as soon as it is terminal or {@code suspended}, or as
     * it is once {@code wait} (1 to 25 s) is up. Backoff polling of a consistent read (after 25, 50, 100, 200, 400 ms,
     * then every 500 ms): a read of an item under 4 KB is 1 read unit, so waiting costs at most about 2 read units a
     * second after its first second, 8 in the first, and a run that settles in a second or two costs 6 to 8 reads in
     * all. Bounded: it never waits past {@code wait}. Another organization's run is not found.
     */
    public Run awaitSettled(Principal principal, long workflowId, long runId, Duration wait) {
        return awaitSettled(principal, workflowId, runId, wait, pause -> Thread.sleep(pause.toMillis()));
    }

    public Run awaitSettled(Principal principal, long workflowId, long runId, Duration wait, Sleeper sleeper) {
        if (wait == null || wait.compareTo(Duration.ofSeconds(1)) < 0 || wait.compareTo(MAX_AWAIT) > 0) {
            throw new KickoffException(Reason.INVALID_REQUEST, "a wait is 1 to " + MAX_AWAIT.toSeconds() + " seconds");
        }
        Instant until = clock.instant().plus(wait);
        Run run = get(principal, workflowId, runId);
        for (int i = 0; !settled(run); i++) {
            Duration pause = AWAIT_PAUSES.get(Math.min(i, AWAIT_PAUSES.size() - 1));
            Duration left = Duration.between(clock.instant(), until);
            if (left.isNegative() || left.isZero()) {
                return run;
            }
            try {
                sleeper.sleep(pause.compareTo(left) > 0 ? left : pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return run;
            }
            run = get(principal, workflowId, runId);
        }
        return run;
    }

    /** Runs a list page holds by default, and at most. */
    public static final int DEFAULT_PAGE = 20;
    public static final int MAX_PAGE = 100;

    /**
     * A workflow's runs, newest first, a page at a time ({@code GET …/workflows/{id}/runs?status=&limit=&cursor=}): of
     * {@code status} only if given, {@code limit} 1 to {@link #MAX_PAGE}. An unknown workflow, or another
     * organization's, is not found; published or not, every workflow's runs can be listed (a replay may have run a
     * version that is no longer published). One indexed read, never a scan: see docs/data-model.md, "The runs list".
     */
    public RunStore.RunPage list(Principal principal, long workflowId, RunStatus status, int limit, String cursor) {
        if (workflowId <= 0 || workflows.find(principal.orgId(), workflowId).isEmpty()) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new KickoffException(Reason.INVALID_REQUEST, "limit must be 1 to " + MAX_PAGE,
                    List.of(new FieldError("/limit", "must be an integer from 1 to " + MAX_PAGE)));
        }
        return runs.list(principal.orgId(), workflowId, status, limit, cursor);
    }

    private static boolean settled(Run run) {
        return run.status().terminal() || run.status() == RunStatus.SUSPENDED;
    }

    /**
     * A run of a workflow in the caller's organization; anything else is "not found", including a workflow ID
     * that names nothing ({@code workflowId <= 0}, what path parsing answers for junk).
     */
    public Run get(Principal principal, long workflowId, long runId) {
        if (workflowId <= 0) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return find(principal, workflowId, runId);
    }

    /** A run in the caller's organization, whatever its workflow (for APIs whose paths omit the workflow). */
    public Run get(Principal principal, long runId) {
        return find(principal, 0, runId);
    }

    private Run find(Principal principal, long workflowId, long runId) {
        Run run = runId <= 0 ? null : runs.find(runId).orElse(null);
        if (run == null || run.orgId() != principal.orgId() || (workflowId > 0 && run.workflowId() != workflowId)) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return run;
    }
}
