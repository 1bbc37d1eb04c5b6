package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.cases.RunCase;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.template.Budget;
import dev.kickoff.core.template.TemplateException;
import dev.kickoff.core.template.Templates;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinition;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Executes one run to its end: claims it under a lease, runs each step not yet recorded, checkpoints after
 * every impure step, and finishes it completed or failed. Safe under duplicate and concurrent delivery: only
 * the lease holder runs steps, and a run whose worker died is resumed from its first unfinished step once the
 * lease expires. A run that would outlast its worker's invocation yields before its deadline: what is done is
 * checkpointed, the lease released, and the run continues from there on its next delivery.
 */
public final class RunExecutor {
    /** Whole-run state beyond this is refused, keeping a run inside one DynamoDB item (400 KB). */
    public static final int MAX_RUN_STATE_BYTES = 300 * 1024;
    /** A step's resolved config is kept with its result up to this size (seed 002 shows it as input_data). */
    static final int MAX_RECORDED_INPUT_BYTES = 16 * 1024;

    public enum Kind {
        /** This call brought the run to a terminal state. */
        FINISHED,
        /** The run was already terminal (a duplicate delivery). */
        ALREADY_FINISHED,
        /** Another worker holds a live lease; try again at {@link Outcome#retryAt()}. */
        BUSY,
        /** The run is waiting for a signal (suspended); nothing to do. */
        NOT_RUNNABLE,
        /** No such run. */
        MISSING,
        /** The lease was lost mid-run (this worker stalled past it); the new holder carries on. */
        LEASE_LOST,
        /**
         * The deadline came before the run's end: the steps done so far are checkpointed and the lease released.
         * The caller must queue the run again; its next delivery resumes at the first step not done.
         */
        YIELDED
    }

    public record Outcome(Kind kind, Run run, Instant retryAt) {
    }

    private final RunStore runs;
    private final VersionCache versions;
    private final StepRegistry registry;
    private final Clock clock;
    private final Duration lease;
    private final RunObserver observer;
    /** Cases, for runs started by one (null: this executor runs no case runs). */
    private final CaseStore cases;

    public RunExecutor(RunStore runs, VersionCache versions, StepRegistry registry, Clock clock, Duration lease,
                       RunObserver observer) {
        this(runs, versions, registry, clock, lease, observer, null);
    }

    public RunExecutor(RunStore runs, VersionCache versions, StepRegistry registry, Clock clock, Duration lease,
                       RunObserver observer, CaseStore cases) {
        this.cases = cases;
        this.runs = runs;
        this.versions = versions;
        this.registry = registry;
        this.clock = clock;
        this.lease = lease;
        this.observer = observer;
    }

    public Outcome execute(long runId, String workerId) {
        return execute(runId, workerId, false);
    }

    public Outcome execute(long runId, String workerId, boolean lastAttempt) {
        return execute(runId, workerId, lastAttempt, null);
    }

    /**
     * Executes the run if this worker can claim it.
     *
     * <p>A step that fails by throwing anything other than {@link StepFailedException} (a dependency down, a
     * bug) is treated as transient: the lease is released and the exception propagates, so the delivery is
     * retried and the run resumes at that step. On the {@code lastAttempt} the run is instead ended as failed,
     * so that no run stays in progress forever.
     *
     * <p>With a {@code deadline} (the worker's invocation ends soon after it), no step is started at or after it:
     * the run {@link Kind#YIELDED yields} instead, so that a run longer than one invocation makes progress on every
     * delivery instead of being killed mid-step on each.
     */
    public Outcome execute(long runId, String workerId, boolean lastAttempt, Instant deadline) {
        Instant now = clock.instant();
        return claimed(runs.claim(runId, workerId, now, now.plus(lease)), run -> run(run, lastAttempt, deadline));
    }

    /**
     * Like {@link #execute(long, String, boolean, Instant)}, for a run's first delivery: a pending run whose steps
     * are all pure (and that belongs to no case) is executed from a consistent read and ended with one conditional
     * write, without a claim. That is one write fewer per run — a third of the worker's writes for a single-step
     * run — and safe without a lease: pure steps touch nothing outside the run, so a duplicate execution elsewhere
     * computes the same result and only one of the two final writes can land. Anything else (a step with effects,
     * a case run, a run someone already moved) goes through the claim as usual.
     */
    public Outcome executeFirstDelivery(long runId, String workerId, boolean lastAttempt, Instant deadline) {
        Run run = findQueued(runId);
        if (run == null) {
            return new Outcome(Kind.MISSING, null, null);
        }
        if (run.status().terminal()) {
            return new Outcome(Kind.ALREADY_FINISHED, run, null);
        }
        if (run.status() == RunStatus.PENDING && run.caseId() == null && run.leaseOwner() == null
                && (deadline == null || clock.instant().isBefore(deadline))) {
            Optional<WorkflowVersion> version = versions.get(run.orgId(), run.workflowId(), run.workflowVersion());
            if (version.isPresent() && allPure(version.get().definition())) {
                Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                Run unclaimed = run.toBuilder().startedAt(now).updatedAt(now).attempts(run.attempts() + 1).build();
                Outcome outcome = run(unclaimed, lastAttempt, deadline);
                if (outcome.kind() == Kind.FINISHED) {
                    return outcome;
                }
                // LEASE_LOST: the run was no longer pending at the final write, or the deadline came first; either
                // way the claim sorts it out (the pure steps are simply computed again).
            }
        }
        return execute(runId, workerId, lastAttempt, deadline);
    }

    /** Pauses before the re-reads of a run whose message came first (milliseconds; about 0.15 s in all). */
    private static final long[] STORE_WAITS_MILLIS = {5, 10, 20, 40, 80};

    /**
     * A run read on its first delivery. A plain run is queued before it is stored, so its message can arrive while
     * the write that stores it is still on its way (on AWS rarely; on the local stack, where a message is delivered
     * in about a millisecond, often): read again a few times, briefly, before calling it missing.
     */
    private Run findQueued(long runId) {
        Run run = runs.find(runId).orElse(null);
        for (int i = 0; run == null && i < STORE_WAITS_MILLIS.length; i++) {
            try {
                Thread.sleep(STORE_WAITS_MILLIS[i]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            run = runs.find(runId).orElse(null);
        }
        return run;
    }

    /**
     * Lists the run among the active runs (a redelivery: something may have gone wrong with an earlier one), so
     * that the sweeper finds it if this message too is lost to the dead-letter queue. Never fails the delivery.
     */
    public void watch(long runId) {
        try {
            runs.watch(runId, clock.instant());
        } catch (RuntimeException e) {
            // the delivery goes on; a later redelivery tries again
        }
    }

    private boolean allPure(WorkflowDefinition definition) {
        for (StepDefinition step : definition.steps()) {
            StepType type = registry.find(step.type()).orElse(null);
            if (type == null || !type.pure()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Ends a run that cannot be executed as failed with {@code reason}, through the same failure path as a failing
     * step (a case run parks its case in {@code Error} in the same write): it is claimed first, so a run a live
     * worker holds is left to that worker ({@link Kind#BUSY}), and a finished one is not touched.
     */
    public Outcome giveUp(long runId, String owner, String reason) {
        Instant now = clock.instant();
        return claimed(runs.claim(runId, owner, now, now.plus(lease)),
                run -> finish(run, run.steps(), RunStatus.FAILED, null, reason));
    }

    private static Outcome claimed(ClaimResult claim, java.util.function.Function<Run, Outcome> then) {
        return switch (claim) {
            case ClaimResult.Missing m -> new Outcome(Kind.MISSING, null, null);
            case ClaimResult.Finished f -> new Outcome(Kind.ALREADY_FINISHED, f.run(), null);
            case ClaimResult.NotRunnable n -> new Outcome(Kind.NOT_RUNNABLE, n.run(), null);
            case ClaimResult.Busy b -> new Outcome(Kind.BUSY, b.run(), b.run().leaseUntil());
            case ClaimResult.Claimed c -> then.apply(c.run());
        };
    }

    private Outcome run(Run run, boolean lastAttempt, Instant deadline) {
        Optional<WorkflowVersion> version = versions.get(run.orgId(), run.workflowId(), run.workflowVersion());
        if (version.isEmpty()) {
            return finish(run, run.steps(), RunStatus.FAILED, null,
                    "workflow version " + run.workflowVersion() + " no longer exists");
        }
        WorkflowDefinition definition = version.get().definition();

        // Completed steps from an earlier attempt stand; anything else is redone.
        List<StepRecord> records = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (StepRecord r : run.steps()) {
            if (r.completed()) {
                records.add(r);
                done.add(r.id());
            }
        }
        ObjectNode scope = scope(run, records);
        // A case's run sees its case as {{case.…}}, and set_case steps change it.
        RunCase runCase = null;
        if (run.caseId() != null && cases != null) {
            try {
                runCase = RunCase.open(cases, run, definition, clock).orElse(null);
            } catch (RuntimeException e) {
                if (!lastAttempt) {
                    releaseQuietly(run);
                    throw e;
                }
                return finish(run, records, RunStatus.FAILED, null, "the run's case could not be read: " + e);
            }
        }
        if (runCase != null) {
            scope.set("case", runCase.scope());
        }

        List<StepDefinition> steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            if (done.contains(step.id())) {
                continue;
            }
            if (deadline != null && !clock.instant().isBefore(deadline)) {
                return yieldLease(run, records);
            }
            StepType type = registry.find(step.type()).orElse(null);
            Instant started = clock.instant();
            if (type == null) {
                records.add(failed(step, null, "unknown step type '" + step.type() + "'", started));
                return finish(run, records, RunStatus.FAILED, null,
                        "step '" + step.id() + "' failed: unknown step type '" + step.type() + "'");
            }
            Budget budget = Budget.standard();
            JsonNode config = null;
            try {
                config = Templates.resolve(step.config(), scope, budget, "/steps/" + i + "/config");
                JsonNode output = type.execute(new StepInvocation(step, config, run, scope, budget, runCase));
                if (runCase != null) {
                    scope.set("case", runCase.scope());
                }
                StepRecord record = new StepRecord(step.id(), step.type(), StepRecord.COMPLETED, recordable(config),
                        output, null, started, clock.instant());
                records.add(record);
                ((ObjectNode) scope.get("steps")).set(step.id(), stepScope(record));
                observer.stepFinished(run, record, Duration.between(started, record.completedAt()));
                if (!type.pure()) {
                    Instant now = clock.instant();
                    run = run.toBuilder().steps(records).updatedAt(now).lease(run.leaseOwner(), now.plus(lease)).build();
                    if (!runs.checkpoint(run)) {
                        return new Outcome(Kind.LEASE_LOST, run, null);
                    }
                }
            } catch (StepFailedException | TemplateException e) {
                StepRecord record = failed(step, config, e.getMessage(), started);
                records.add(record);
                observer.stepFinished(run, record, Duration.between(started, record.completedAt()));
                return finish(run, records, RunStatus.FAILED, null,
                        "step '" + step.id() + "' failed: " + e.getMessage());
            } catch (RunCase.LeaseLostException e) {
                return new Outcome(Kind.LEASE_LOST, run, null);
            } catch (RuntimeException e) {
                if (!lastAttempt) {
                    releaseQuietly(run);
                    throw e;
                }
                String message = "gave up after " + run.attempts() + " attempts: " + e;
                records.add(failed(step, config, message, started));
                return finish(run, records, RunStatus.FAILED, null, "step '" + step.id() + "' failed: " + message);
            }
        }

        JsonNode output;
        try {
            output = definition.output() != null
                    ? Templates.resolve(definition.output(), scope, Budget.standard(), "/output")
                    : records.isEmpty() ? null : records.getLast().output();
        } catch (TemplateException e) {
            return finish(run, records, RunStatus.FAILED, null, "the workflow output failed: " + e.getMessage());
        }
        return finish(run, records, RunStatus.COMPLETED, output, null);
    }

    /**
     * Checkpoints every step done so far (pure ones included: they are not recomputed on the next delivery) with a
     * lease that ends now, so the next delivery of the run can claim it at once.
     */
    private Outcome yieldLease(Run run, List<StepRecord> records) {
        if (run.leaseOwner() == null) {
            // An unclaimed first delivery ran out of time: nothing is saved; executeFirstDelivery claims it instead.
            return new Outcome(Kind.LEASE_LOST, run, null);
        }
        if (stateSize(run, records, null) > MAX_RUN_STATE_BYTES) {
            return finish(run, records, RunStatus.FAILED, null, null);  // finish names the limit it broke
        }
        Instant now = clock.instant();
        Run paused = run.toBuilder().steps(records).updatedAt(now).lease(run.leaseOwner(), now).build();
        if (!runs.checkpoint(paused)) {
            return new Outcome(Kind.LEASE_LOST, paused, null);
        }
        return new Outcome(Kind.YIELDED, paused, null);
    }

    private static int stateSize(Run run, List<StepRecord> records, JsonNode output) {
        int size = Json.sizeOf(run.input()) + Json.sizeOf(output);
        for (StepRecord r : records) {
            size += Json.sizeOf(r.input()) + Json.sizeOf(r.output());
        }
        return size;
    }

    private Outcome finish(Run run, List<StepRecord> records, RunStatus status, JsonNode output, String error) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int size = stateSize(run, records, output);
        if (size > MAX_RUN_STATE_BYTES) {
            status = RunStatus.FAILED;
            output = null;
            error = "the run's input, step outputs and output total " + size + " bytes, over the limit of "
                    + MAX_RUN_STATE_BYTES + "; step outputs were dropped";
            records = records.stream().map(r -> new StepRecord(r.id(), r.type(), r.status(), null, null, r.error(),
                    r.startedAt(), r.completedAt())).toList();
        }
        Run finished = run.toBuilder().status(status).output(output).error(error).steps(records)
                .updatedAt(now).completedAt(now).build();
        // A failed case run parks its case in Error in the same write that ends the run: never one without the other.
        boolean saved = finished.leaseOwner() == null ? runs.finishPending(finished)  // see executeFirstDelivery
                : status == RunStatus.FAILED && finished.caseId() != null && cases != null
                ? cases.finishFailedRun(finished) : runs.finish(finished);
        if (!saved) {
            return new Outcome(Kind.LEASE_LOST, finished, null);
        }
        observer.runFinished(finished);
        return new Outcome(Kind.FINISHED, finished, null);
    }

    private void releaseQuietly(Run run) {
        if (run.leaseOwner() == null) {
            return;  // an unclaimed first delivery (executeFirstDelivery) holds no lease
        }
        try {
            runs.release(run);
        } catch (RuntimeException ignored) {
            // the lease then simply runs out
        }
    }

    private StepRecord failed(StepDefinition step, JsonNode config, String message, Instant started) {
        return new StepRecord(step.id(), step.type(), StepRecord.FAILED, recordable(config), null, message, started,
                clock.instant());
    }

    private static JsonNode recordable(JsonNode config) {
        if (config == null) {
            return null;
        }
        int size = Json.sizeOf(config);
        if (size <= MAX_RECORDED_INPUT_BYTES) {
            return config;
        }
        ObjectNode note = Json.object();
        note.put("_truncated", true);
        note.put("bytes", size);
        return note;
    }

    /** The template scope: {@code input}, {@code steps.<id>.output}, {@code run} (and {@code case}, set by the caller). */
    static ObjectNode scope(Run run, List<StepRecord> completed) {
        ObjectNode scope = Json.object();
        scope.set("input", run.input() == null ? Json.object() : run.input());
        ObjectNode steps = scope.putObject("steps");
        for (StepRecord r : completed) {
            steps.set(r.id(), stepScope(r));
        }
        ObjectNode meta = scope.putObject("run");
        meta.put("id", run.id());
        meta.put("workflow_id", run.workflowId());
        meta.put("workflow_version", run.workflowVersion());
        meta.put("created_at", run.createdAt().toString());
        if (run.connectionId() != null) {
            meta.put("connection_id", run.connectionId());
            scope.put("connectionId", run.connectionId());
        }
        return scope;
    }

    private static ObjectNode stepScope(StepRecord record) {
        ObjectNode node = Json.object();
        node.set("output", record.output());
        node.put("status", record.status());
        return node;
    }
}
