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
import dev.kickoff.core.port.RunStore;
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
    /** A replayed run still pending after this long is queued again (its creator may have died before queueing). */
    static final java.time.Duration STALE_PENDING = java.time.Duration.ofSeconds(30);
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
    private final RunQueue queue;
    private final IdGenerator ids;
    private final Clock clock;
    private final RunObserver observer;
    private final Duration idempotencyTtl;

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
        this.workflows = workflows;
        this.versions = versions;
        this.runs = runs;
        this.idempotency = idempotency;
        this.queue = queue;
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
        Workflow workflow = workflowId <= 0 ? null : workflows.find(principal.orgId(), workflowId).orElse(null);
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

    /** Creates a pending run of the workflow's published version and queues it (see {@link #start}). */
    public Run trigger(Principal principal, long workflowId, RunRequest request) {
        return start(principal, workflowId, request).run();
    }

    /**
     * Starts a run of the workflow's published version, or, when the request carries an idempotency key that
     * already created a run of this workflow within the key's lifetime, answers that run ({@code replayed}).
     * Refusals: the workflow's (see {@link #startable}), a malformed {@code connectionId} or key, an input that
     * breaks the {@code inputSchema} ({@link InputValidationException}), and a key reused with a different request
     * ({@link Reason#IDEMPOTENCY_KEY_REUSED}). Only a run this call created is queued.
     */
    public Triggered start(Principal principal, long workflowId, RunRequest request) {
        JsonNode input = request.input() == null || request.input().isNull() ? Json.object() : request.input();
        if (!input.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "input must be a JSON object");
        }
        String connectionId = checkConnectionId(request.connectionId());
        String key = checkIdempotencyKey(request.idempotencyKey());
        if (key == null) {
            Workflow workflow = startable(principal, workflowId);
            return new Triggered(createQueued(principal, workflow, checkedInput(workflow, input), connectionId), false);
        }
        if (workflowId <= 0) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        String fingerprint = RequestFingerprint.of(input, connectionId);
        Optional<Triggered> replay = replay(principal, workflowId, key, fingerprint);
        if (replay.isPresent()) {
            return replay.get();
        }
        Workflow workflow = startable(principal, workflowId);
        JsonNode checked = checkedInput(workflow, input);
        for (int attempt = 0; attempt < MAX_KEY_ATTEMPTS; attempt++) {
            Instant now = now();
            Run run = newRun(principal, workflow, checked, connectionId, null, now);
            IdempotencyRecord record = new IdempotencyRecord(principal.orgId(), workflowId, key, fingerprint, run.id(),
                    now, now.plus(idempotencyTtl));
            switch (idempotency.createWithRun(record, run, now)) {
                case CREATED -> {
                    observer.runCreated(run);
                    try {
                        enqueue(run);
                    } catch (KickoffException e) {
                        releaseQuietly(record);  // the run was ended as failed; a retry must start a new one
                        throw e;
                    }
                    return new Triggered(run, false);
                }
                case RUN_ID_TAKEN -> {
                    // an ID collision: try again with a fresh ID
                }
                case KEY_TAKEN -> {
                    replay = replay(principal, workflowId, key, fingerprint);
                    if (replay.isPresent()) {
                        return replay.get();
                    }
                    pause(attempt);  // a concurrent request is mid-transaction; its record appears shortly
                }
            }
        }
        throw new KickoffException(Reason.CONFLICT,
                "another request with this idempotency key is being processed; retry in a moment");
    }

    private Optional<Triggered> replay(Principal principal, long workflowId, String key, String fingerprint) {
        Optional<IdempotencyRecord> found = idempotency.find(principal.orgId(), workflowId, key, clock.instant());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        IdempotencyRecord record = found.get();
        if (!record.fingerprint().equals(fingerprint)) {
            throw new KickoffException(Reason.IDEMPOTENCY_KEY_REUSED, "idempotency key '" + key
                    + "' was already used with a different request (input or connectionId) for this workflow at "
                    + record.createdAt() + "; it is kept until " + record.expiresAt()
                    + ". Repeat the original request to get its run, or use a new key for a new run.");
        }
        Run run = runs.find(record.runId()).filter(r -> r.orgId() == principal.orgId())
                .orElseThrow(() -> new IllegalStateException("idempotency key of workflow " + workflowId
                        + " names run " + record.runId() + ", which does not exist"));
        if (run.status() == RunStatus.PENDING
                && run.createdAt().isBefore(clock.instant().minus(STALE_PENDING))) {
            // The request that created it may have died before queueing it; a client retrying with the same key
            // is the moment to make sure it runs. A second message is harmless: the claim lets one worker in.
            try {
                queue.enqueue(run.orgId(), run.id());
            } catch (RuntimeException e) {
                // the retry still answers with the run; the sweeper (or the next retry) queues it
            }
        }
        return Optional.of(new Triggered(run, true));
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
        PreparedInput prepared;
        try {
            prepared = JsonSchemas.compile(schema).prepare(input);
        } catch (JsonSchemas.InvalidSchemaException e) {
            throw new KickoffException(Reason.INVALID_DEFINITION, "the workflow's inputSchema cannot be applied ("
                    + e.getMessage() + "); fix the workflow definition");
        }
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

    /**
     * Queues a new run, then stores it (retrying on an ID collision with a new ID and a new message). Queued first,
     * a run can never be stored and not queued, whatever happens to this process between the two calls, so it
     * needs no entry in the active-runs listing. The other way round, a message can name a run that was never
     * stored (the write failed, or this process died before it): the worker drops such a message once it is
     * older than any write could take ({@code RunWorker}), and the caller was answered with an error. (A write
     * that lands although its call fails, say at the function's timeout, leaves a run that does execute while its
     * caller saw an error, as it did when the sweeper queued such runs: an idempotency key makes the retry safe.)
     * If the queue refuses, nothing is stored and the caller is told to retry.
     */
    Run createQueued(Principal principal, Workflow workflow, JsonNode input, String connectionId) {
        Instant now = now();
        Run run = FreshIds.store(() -> {
            Run fresh = newRun(principal, workflow, input, connectionId, null, now);
            try {
                queue.enqueue(fresh.orgId(), fresh.id());
            } catch (RuntimeException e) {
                throw new KickoffException(Reason.UNAVAILABLE, "the run could not be queued; it was not started. "
                        + "Retry the request.");
            }
            runs.createQueued(fresh);
            return fresh;
        });
        observer.runCreated(run);
        return run;
    }

    /** Stores a new pending run (retrying on an ID collision) without queueing it. */
    public Run create(Principal principal, Workflow workflow, JsonNode input, String connectionId, Long caseId) {
        Instant now = now();
        Run run = FreshIds.store(() -> {
            Run fresh = newRun(principal, workflow, input, connectionId, caseId, now);
            runs.create(fresh);
            return fresh;
        });
        observer.runCreated(run);
        return run;
    }

    private Run newRun(Principal principal, Workflow workflow, JsonNode input, String connectionId, Long caseId,
                       Instant now) {
        return new Run(ids.next(), principal.orgId(), workflow.id(), workflow.publishedVersion(), false,
                principal.tokenId(), "api", principal.tokenName(), "live", input, connectionId, caseId, now,
                RunStatus.PENDING, null, null, List.of(), now, null, null, 0, null, null);
    }

    /**
     * Queues a stored run. If the queue refuses, the run is ended as failed rather than left pending forever,
     * and the caller is told to retry: nothing is silently lost.
     */
    public void enqueue(Run run) {
        try {
            queue.enqueue(run.orgId(), run.id());
        } catch (RuntimeException e) {
            runs.abandon(run.id(), "the run could not be queued: " + e.getClass().getSimpleName(), clock.instant());
            throw new KickoffException(Reason.UNAVAILABLE, "the run could not be queued; it was not started. Retry the request.");
        }
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
