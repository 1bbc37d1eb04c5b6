package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.engine.WaitForSignalStep;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.WriteResult;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * What a client may do to a run it started, besides reading it: each is one row of {@link RunLifecycle}, taken from
 * the API ({@code POST …/runs/{run_id}/cancel}, {@code /retry}, {@code /signals}). Another organization's run, or one
 * of another workflow, is not found. Each control comes in two forms: with the workflow the path names (the external
 * API, where a run of another workflow is not found) and without (the management API, by run ID in the organization).
 */
public final class RunControls {
    private final RunStore runs;
    private final CaseStore cases;
    private final dev.kickoff.core.port.RunQueue queue;
    private final VersionCache versions;
    private final Clock clock;

    /**
     * @param cases for case runs, whose case moves with them (null: no case runs here)
     * @param queue where a retried run is queued
     */
    public RunControls(RunStore runs, CaseStore cases, dev.kickoff.core.port.RunQueue queue, Clock clock) {
        this(runs, cases, queue, null, clock);
    }

    /** @param versions the runs' workflow versions, to tell the signals their steps wait for (null: no signals) */
    public RunControls(RunStore runs, CaseStore cases, dev.kickoff.core.port.RunQueue queue, VersionCache versions,
                       Clock clock) {
        this.runs = runs;
        this.cases = cases;
        this.queue = queue;
        this.versions = versions;
        this.clock = clock;
    }

    /**
     * {@link RunLifecycle.Event#CANCEL CANCEL}: the run ends {@code failed} with {@code error: {"code": "cancelled",
     * "message": …}} and no further step starts. A step in flight finishes, but its worker's next write is refused
     * (the run is no longer in progress), so its result is discarded; a case run's case goes to {@code Error} with it.
     * Cancelling a finished run is a conflict ({@link Reason#CONFLICT}), including one that finished while this
     * request raced it: exactly one of the two lands.
     *
     * @param reason what the message says, after "the run was cancelled" (null: nothing more)
     */
    public Run cancel(Principal principal, long workflowId, long runId, String reason) {
        return cancel(find(principal, (Long) workflowId, runId), reason);
    }

    /** {@link #cancel(Principal, long, long, String)} by run ID alone (the management API). */
    public Run cancel(Principal principal, long runId, String reason) {
        return cancel(find(principal, null, runId), reason);
    }

    private Run cancel(Run run, String reason) {
        if (run.status().terminal()) {
            throw finished(run);
        }
        String message = "the run was cancelled" + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
        RunError error = new RunError(RunError.CANCELLED, message.length() > 500 ? message.substring(0, 500) : message);
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        WriteResult result = run.caseId() != null && cases != null ? cases.cancelRun(run, error, at)
                : runs.cancel(run.id(), error, at);
        if (result instanceof WriteResult.Refused refused) {
            throw finished(refused.current() == null ? run : refused.current());
        }
        return runs.find(run.id()).orElseThrow();
    }

    /** How long after a run failed it may still be retried from its failed step (as Step Functions' redrive). */
    public static final Duration RETRY_WINDOW = Duration.ofDays(14);

    /**
     * {@link RunLifecycle.Event#RETRY RETRY} (Step Functions' redrive): a {@code failed} run, not a cancelled one, ended
     * less than {@link #RETRY_WINDOW} ago, goes back to {@code pending} and resumes at its failed step, every earlier
     * step's recorded output kept; {@code retries} counts it. The write is conditioned on the run being as read, then
     * the run is queued; it is listed among the active runs by the write, so that should the message be lost, the
     * sweeper queues it. A duplicate of an earlier message racing the new one finds the claim taken: the failed step
     * runs once. Anything else is a conflict.
     */
    public Run retry(Principal principal, long workflowId, long runId) {
        return retry(find(principal, (Long) workflowId, runId));
    }

    /** {@link #retry(Principal, long, long)} by run ID alone (the management API). */
    public Run retry(Principal principal, long runId) {
        return retry(find(principal, null, runId));
    }

    private Run retry(Run run) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (run.status() != RunStatus.FAILED) {
            throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " is " + run.status().wireName()
                    + "; only a failed run can be retried");
        }
        if (RunError.CANCELLED.equals(run.errorCode())) {
            throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " was cancelled; replay it instead");
        }
        if (RunError.TIMED_OUT.equals(run.errorCode())) {
            // Its timeout counts from its creation: retried, it would time out again at once.
            throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " timed out; replay it instead");
        }
        if (run.completedAt() != null && run.completedAt().plus(RETRY_WINDOW).isBefore(now)) {
            throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " failed more than "
                    + RETRY_WINDOW.toDays() + " days ago; replay it instead");
        }
        java.util.List<StepRecord> kept = new java.util.ArrayList<>(run.steps());
        if (!kept.isEmpty() && !kept.getLast().completed()) {
            kept.removeLast();  // the step the run failed at: it runs again (earlier ones, failures gone on from too, stand)
        }
        Run retried = run.toBuilder().status(RunStatus.PENDING).failure(null).output(null).completedAt(null)
                .steps(kept).updatedAt(now).retries(run.retries() + 1).build();
        if (runs.retry(retried, run.updatedAt()) instanceof WriteResult.Refused) {
            throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " changed while it was being retried; "
                    + "read it again");
        }
        try {
            queue.enqueue(run.orgId(), run.id());
        } catch (RuntimeException e) {
            // listed by the write: the sweeper queues it once it has been quiet for its grace
        }
        return runs.find(run.id()).orElse(retried);
    }

    private static KickoffException finished(Run run) {
        return new KickoffException(Reason.CONFLICT, "run " + run.id() + " is already " + run.status().wireName()
                + "; only an unfinished run can be cancelled");
    }

    /** A signal that reached its run ({@code replayed}: an earlier request with its idempotency key sent it). */
    public record Signalled(Run run, boolean replayed) {
    }

    /** Writes a signal tries before answering that the run kept changing under it. */
    static final int MAX_SIGNAL_ATTEMPTS = 5;

    /**
     * A client's signal ({@code POST …/runs/{run_id}/signals}): {@code SIGNAL} if the run is suspended waiting for
     * {@code name} (the signal is kept on the run, which goes back to pending and is queued, so its
     * {@code wait_for_signal} step takes it), else {@code KEEP_SIGNAL} (kept until a step of that name takes it: a
     * signal may come before its run reaches its wait). Refusals: a name no {@code wait_for_signal} step of the run's
     * workflow version waits for ({@link Reason#VALIDATION_FAILED}, 422), a finished run ({@link Reason#CONFLICT},
     * 409), a run that keeps {@link RunSignals#MAX_KEPT} signals already (409). With an idempotency key, a repeat
     * changes nothing and answers the run ({@code replayed}), even once the run has finished.
     *
     * @param payload an object (null: {@code {}}), at most {@link RunSignals#MAX_PAYLOAD_BYTES} as JSON
     */
    public Signalled signal(Principal principal, long workflowId, long runId, String name, JsonNode payload,
                            String idempotencyKey) {
        return signal(principal, (Long) workflowId, runId, name, payload, idempotencyKey);
    }

    /** {@link #signal(Principal, long, long, String, JsonNode, String)} by run ID alone (the management API). */
    public Signalled signal(Principal principal, long runId, String name, JsonNode payload, String idempotencyKey) {
        return signal(principal, null, runId, name, payload, idempotencyKey);
    }

    private Signalled signal(Principal principal, Long workflowId, long runId, String name, JsonNode payload,
                             String idempotencyKey) {
        if (name == null || !WaitForSignalStep.SIGNAL_NAME.matcher(name).matches()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "signal must be a name of 1 to 64 letters, digits, '_',"
                    + " '.', ':' or '-'", List.of(new FieldError("/signal", "must match "
                    + WaitForSignalStep.SIGNAL_NAME.pattern())));
        }
        JsonNode body = payload == null || payload.isNull() ? Json.object() : payload;
        if (!body.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "payload must be a JSON object",
                    List.of(new FieldError("/payload", "must be an object")));
        }
        if (Json.sizeOf(body) > RunSignals.MAX_PAYLOAD_BYTES) {
            throw new KickoffException(Reason.PAYLOAD_TOO_LARGE, "a signal's payload is at most "
                    + RunSignals.MAX_PAYLOAD_BYTES + " bytes as JSON");
        }
        String key = RunService.checkIdempotencyKey(idempotencyKey);
        Run run = find(principal, workflowId, runId);
        String id = key == null ? "s_" + UUID.randomUUID().toString().replace("-", "") : keyedId(run.id(), key);
        checkAwaited(run, name);
        for (int attempt = 0; attempt < MAX_SIGNAL_ATTEMPTS; attempt++) {
            if (key != null && run.signals().keys().contains(id)) {
                return new Signalled(run, true);
            }
            if (run.status().terminal()) {
                throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " is already "
                        + run.status().wireName() + "; a finished run takes no signals");
            }
            if (run.signals().kept().size() >= RunSignals.MAX_KEPT) {
                throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " keeps " + RunSignals.MAX_KEPT
                        + " signals that no step has taken yet; it takes no more until one is taken");
            }
            if (key != null && run.signals().keys().size() >= RunSignals.MAX_KEYS) {
                throw new KickoffException(Reason.CONFLICT, "run " + run.id() + " has taken " + RunSignals.MAX_KEYS
                        + " signals with idempotency keys; send more without a key");
            }
            Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            RunSignal signal = new RunSignal(id, name, body, at);
            boolean wakes = run.status() == RunStatus.SUSPENDED && name.equals(run.signals().awaited());
            WriteResult result = wakes ? runs.signal(run.id(), signal, key != null, at)
                    : runs.keepSignal(run.id(), signal, key != null, at);
            if (result.written()) {
                if (wakes) {
                    try {
                        queue.enqueue(run.orgId(), run.id());
                    } catch (RuntimeException e) {
                        // listed by the write: the sweeper queues it once it has been quiet for its grace
                    }
                }
                return new Signalled(runs.find(run.id()).orElse(run), false);
            }
            // The run moved between the read and the write (a worker suspended or woke it, or took it in): read again.
            Run current = result instanceof WriteResult.Refused refused ? refused.current() : null;
            run = current != null ? current : runs.find(run.id()).orElseThrow(
                    () -> new KickoffException(Reason.RUN_NOT_FOUND, "run not found"));
        }
        throw new KickoffException(Reason.CONFLICT, "run " + runId + " kept changing while the signal was being sent;"
                + " send it again (with an Idempotency-Key, a repeat is harmless)");
    }

    /** The run's definition must have a wait_for_signal step for {@code name}; anything else is refused as 422. */
    private void checkAwaited(Run run, String name) {
        if (versions == null) {
            throw new IllegalStateException("these controls cannot take signals: no workflow versions");
        }
        WorkflowVersion version = versions.get(run.orgId(), run.workflowId(), run.workflowVersion()).orElse(null);
        java.util.Set<String> awaited = version == null ? java.util.Set.of()
                : WaitForSignalStep.awaitedSignals(version.definition());
        if (!awaited.contains(name)) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "no step of run " + run.id()
                    + "'s workflow version waits for the signal '" + name + "'"
                    + (awaited.isEmpty() ? "; it has no wait_for_signal step" : "; it waits for: "
                    + String.join(", ", awaited)),
                    List.of(new FieldError("/signal", awaited.isEmpty() ? "the workflow waits for no signal"
                            : "must be one of: " + String.join(", ", awaited))));
        }
    }

    /**
     * A keyed signal's ID: derived from the run and the key (not the key itself, which may hold anything a client put
     * in a header), so that a repeat names the same signal.
     */
    static String keyedId(long runId, String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((runId + "\n" + key)
                    .getBytes(StandardCharsets.UTF_8));
            return "k_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param workflowId the workflow the path names (null: any of the organization's, the management API) */
    private Run find(Principal principal, Long workflowId, long runId) {
        Run run = runId <= 0 || (workflowId != null && workflowId <= 0) ? null : runs.find(runId).orElse(null);
        if (run == null || run.orgId() != principal.orgId()
                || (workflowId != null && run.workflowId() != workflowId)
                || !principal.grant().allowsWorkflow(run.workflowId())) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return run;
    }
}
