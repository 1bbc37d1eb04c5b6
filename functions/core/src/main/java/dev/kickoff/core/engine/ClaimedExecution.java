package dev.kickoff.core.engine;

import dev.kickoff.core.cases.RunCase;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.port.RunStore.WriteResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinition;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The execution strategy every run can take: {@code CLAIM} the run under a lease, run the steps not done yet,
 * {@code CHECKPOINT} after every impure step, and settle with one lease-checked write ({@code COMPLETE},
 * {@code FAIL} or {@code YIELD}). Only the lease holder writes, so duplicate and concurrent deliveries are safe, and a
 * run whose worker died is resumed from its first unfinished step once the lease runs out.
 */
final class ClaimedExecution {
    /** Whole-run state beyond this is refused, keeping a run inside one DynamoDB item (400 KB). */
    static final int MAX_RUN_STATE_BYTES = 300 * 1024;

    private final RunStore runs;
    private final CaseStore cases;
    private final VersionCache versions;
    private final StepLoop steps;
    private final Clock clock;
    private final Duration lease;
    private final RunObserver observer;
    private final RunQueue queue;

    ClaimedExecution(RunStore runs, CaseStore cases, VersionCache versions, StepLoop steps, Clock clock,
                     Duration lease, RunObserver observer, RunQueue queue) {
        this.queue = queue;
        this.runs = runs;
        this.cases = cases;
        this.versions = versions;
        this.steps = steps;
        this.clock = clock;
        this.lease = lease;
        this.observer = observer;
    }

    /**
     * @param basis    the steps of the run as an earlier read saw them, and
     * @param computed the pure steps done in memory from that read (see {@link OptimisticPureExecution}): kept if the
     *                 claimed run still has the same steps done, since they are what this execution would compute
     */
    Outcome execute(Delivery delivery, List<StepRecord> basis, List<StepRecord> computed) {
        Instant now = clock.instant();
        return switch (runs.claim(delivery.runId(), delivery.owner(), now, now.plus(lease))) {
            case ClaimResult.Claimed c -> run(!computed.isEmpty() && c.run().steps().equals(basis)
                    ? c.run().toBuilder().steps(computed).build() : c.run(), delivery);
            case ClaimResult claim -> refused(claim);
        };
    }

    /**
     * Ends a run that cannot be executed as failed with {@code reason}, through the same failure path as a failing
     * step (a case run parks its case in {@code Error} in the same write): it is claimed first, so a run a live worker
     * holds is left to that worker ({@link Outcome.Busy}), and a finished one is not touched.
     */
    Outcome giveUp(long runId, String owner, String reason) {
        Instant now = clock.instant();
        return switch (runs.claim(runId, owner, now, now.plus(lease))) {
            case ClaimResult.Claimed c -> finish(c.run(), c.run().steps(), RunStatus.FAILED, null,
                    new RunError(RunError.GIVEN_UP, reason));
            case ClaimResult claim -> refused(claim);
        };
    }

    private static Outcome refused(ClaimResult claim) {
        return switch (claim) {
            case ClaimResult.Missing m -> new Outcome.Missing();
            case ClaimResult.Finished f -> new Outcome.AlreadyFinished(f.run());
            case ClaimResult.NotRunnable n -> new Outcome.NotRunnable(n.run());
            case ClaimResult.Busy b -> new Outcome.Busy(b.run(), b.run().leaseUntil());
            case ClaimResult.NotDue n -> new Outcome.NotDue(n.run(), n.run().wakeAt());
            case ClaimResult.Claimed c -> throw new IllegalArgumentException("claimed is not a refusal");
        };
    }

    private Outcome run(Run run, Delivery delivery) {
        Optional<WorkflowVersion> version = versions.get(run.orgId(), run.workflowId(), run.workflowVersion());
        if (version.isEmpty()) {
            return finish(run, run.steps(), RunStatus.FAILED, null, new RunError(RunError.WORKFLOW_VERSION_MISSING,
                    "workflow version " + run.workflowVersion() + " no longer exists"));
        }
        WorkflowDefinition definition = version.get().definition();
        // A case's run sees its case as {{case.…}}, and set_case steps change it.
        RunCase runCase = null;
        if (run.caseId() != null && cases != null) {
            try {
                runCase = RunCase.open(cases, run, definition, clock).orElse(null);
            } catch (RuntimeException e) {
                if (!delivery.lastAttempt()) {
                    releaseQuietly(run);
                    throw e;
                }
                return finish(run, completedSteps(run), RunStatus.FAILED, null,
                        new RunError(RunError.CASE_UNREADABLE, "the run's case could not be read: " + e));
            }
        }
        StepLoop.Progress progress = steps.run(run, definition, runCase, delivery.lastAttempt(), delivery.deadline(),
                this::checkpoint, this::releaseQuietly);
        return switch (progress) {
            case StepLoop.Progress.Ended e -> finish(e.run(), e.records(), e.status(), e.output(), e.error());
            case StepLoop.Progress.Paused p -> yieldLease(p.run(), p.records());
            case StepLoop.Progress.Halted h -> h.outcome();
            case StepLoop.Progress.Deferred d -> defer(d.run(), d.records(), d.wakeAt());
            case StepLoop.Progress.Suspended w -> suspend(w.run(), w.records(), w.wakeAt());
        };
    }

    /**
     * {@code SUSPEND}: the run waits until {@code wakeAt} without a Lambda. Up to 15 minutes away, its wake-up message
     * is sent first, held back until then (refused afterwards, the message is a harmless extra); further away, the
     * write lists it in the wake-up index, from which the sweeper sends that message once the wake time is near.
     */
    private Outcome suspend(Run run, List<StepRecord> records, Instant wakeAt) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Duration delay = Duration.between(now, wakeAt);
        boolean byMessage = delay.compareTo(RunQueue.MAX_DELAY) <= 0;
        Run suspended = run.toBuilder().status(RunStatus.SUSPENDED).steps(records).updatedAt(now)
                .wakeAt(wakeAt.truncatedTo(ChronoUnit.MILLIS)).build();
        if (byMessage) {
            queue.enqueue(run.orgId(), run.id(), delay.isNegative() ? Duration.ZERO : delay);
        }
        WriteResult result = runs.suspend(suspended, !byMessage);
        if (!result.written()) {
            return moved(suspended, result);
        }
        return new Outcome.Suspended(suspended.toBuilder().lease(null, null).build(), suspended.wakeAt());
    }

    /**
     * {@code DEFER}: a step asked to be run again later. Its message is sent first, held back until then (at most 15
     * minutes: a step's retry waits no longer), then the run goes back to pending with its wake time, out of this
     * worker's lease: no Lambda waits. Refused (the run moved), the message is a harmless extra: its claim finds the
     * run finished, or not due and puts itself back.
     */
    private Outcome defer(Run run, List<StepRecord> records, Instant wakeAt) {
        if (stateSize(run, records, null) > MAX_RUN_STATE_BYTES) {
            return finish(run, records, RunStatus.FAILED, null, null);  // finish names the limit it broke
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Duration delay = Duration.between(now, wakeAt);
        if (delay.compareTo(RunQueue.MAX_DELAY) > 0) {
            delay = RunQueue.MAX_DELAY;
            wakeAt = now.plus(delay);
        }
        Run deferred = run.toBuilder().status(RunStatus.PENDING).steps(records).updatedAt(now)
                .wakeAt(wakeAt.truncatedTo(ChronoUnit.MILLIS)).build();
        queue.enqueue(run.orgId(), run.id(), delay.isNegative() ? Duration.ZERO : delay);
        WriteResult result = runs.defer(deferred);
        if (!result.written()) {
            return moved(deferred, result);
        }
        return new Outcome.Deferred(deferred.toBuilder().lease(null, null).build(), deferred.wakeAt());
    }

    private static List<StepRecord> completedSteps(Run run) {
        return run.steps().stream().filter(StepRecord::completed).toList();
    }

    private StepLoop.Saved checkpoint(Run run, List<StepRecord> records) {
        if (stateSize(run, records, null) > MAX_RUN_STATE_BYTES) {
            // Past what one item holds, the write would be refused on every delivery and the step sent again each
            // time: the run ends here instead (finish names the limit it broke).
            return new StepLoop.Saved.Moved(finish(run, records, RunStatus.FAILED, null, null));
        }
        Instant now = clock.instant();
        Run saved = run.toBuilder().steps(records).updatedAt(now).lease(run.leaseOwner(), now.plus(lease)).build();
        WriteResult result = runs.checkpoint(saved);
        return result.written() ? new StepLoop.Saved.Ok(saved) : new StepLoop.Saved.Moved(moved(saved, result));
    }

    /**
     * {@code YIELD}: saves every step done so far (pure ones included: they are not recomputed on the next delivery)
     * with a lease that ends now, so the next delivery of the run can claim it at once.
     */
    private Outcome yieldLease(Run run, List<StepRecord> records) {
        if (stateSize(run, records, null) > MAX_RUN_STATE_BYTES) {
            return finish(run, records, RunStatus.FAILED, null, null);  // finish names the limit it broke
        }
        Instant now = clock.instant();
        Run paused = run.toBuilder().steps(records).updatedAt(now).lease(run.leaseOwner(), now).build();
        WriteResult result = runs.yieldLease(paused);
        return result.written() ? new Outcome.Yielded(paused) : moved(paused, result);
    }

    /** {@code COMPLETE} or {@code FAIL}, as the lease holder; a failed case run parks its case in the same write. */
    Outcome finish(Run run, List<StepRecord> records, RunStatus status, com.fasterxml.jackson.databind.JsonNode output,
                   RunError error) {
        Run finished = ended(run, records, status, output, error, clock.instant());
        // A failed case run parks its case in Error in the same write that ends the run: never one without the other.
        WriteResult result = finished.status() == RunStatus.FAILED && finished.caseId() != null && cases != null
                ? cases.finishFailedRun(finished) : runs.finish(finished);
        if (!result.written() && !isOwnEnding(finished, result)) {
            return moved(finished, result);
        }
        observer.runFinished(finished);
        return new Outcome.Finished(finished);
    }

    /**
     * Whether a refused end is this very end, landed by an earlier try of the same request (the SDK retries a write
     * whose answer was lost; the retry then finds the run already ended, by itself): same status, same end time.
     */
    static boolean isOwnEnding(Run mine, WriteResult result) {
        return result instanceof WriteResult.Refused r && r.current() != null
                && r.current().status() == mine.status()
                && java.util.Objects.equals(r.current().completedAt(), mine.completedAt())
                && java.util.Objects.equals(r.current().updatedAt(), mine.updatedAt());
    }

    /**
     * What a refused lease-checked write means: another worker took the run over after this one's lease ran out
     * ({@link Outcome.LeaseLost}), or someone ended it meanwhile ({@link Outcome.Superseded}).
     */
    static Outcome moved(Run mine, WriteResult result) {
        Run current = result instanceof WriteResult.Refused r ? r.current() : null;
        if (current == null) {
            return new Outcome.Missing();
        }
        if (current.status().terminal()) {
            return new Outcome.Superseded(current);
        }
        return new Outcome.LeaseLost(current);
    }

    /**
     * The run as it ends, with its size checked: whole-run state beyond {@link #MAX_RUN_STATE_BYTES} fails the run
     * with the step outputs dropped, keeping it inside one item.
     */
    static Run ended(Run run, List<StepRecord> records, RunStatus status,
                     com.fasterxml.jackson.databind.JsonNode output, RunError error, Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.MILLIS);
        int size = stateSize(run, records, output);
        if (size > MAX_RUN_STATE_BYTES) {
            status = RunStatus.FAILED;
            output = null;
            error = new RunError(RunError.STATE_TOO_LARGE, "the run's input, step outputs and output total " + size
                    + " bytes, over the limit of " + MAX_RUN_STATE_BYTES + "; step outputs were dropped");
            records = records.stream().map(r -> new StepRecord(r.id(), r.type(), r.status(), null, null, r.error(),
                    r.startedAt(), r.completedAt(), r.attempts(), r.outboundRequests())).toList();
        }
        return run.toBuilder().status(status).output(output).failure(error).steps(records)
                .updatedAt(now).completedAt(now).wakeAt(null).build();
    }

    static int stateSize(Run run, List<StepRecord> records, com.fasterxml.jackson.databind.JsonNode output) {
        int size = Json.sizeOf(run.input()) + Json.sizeOf(output);
        for (StepRecord r : records) {
            size += Json.sizeOf(r.input()) + Json.sizeOf(r.output());
        }
        return size;
    }

    private void releaseQuietly(Run run) {
        try {
            runs.release(run);
        } catch (RuntimeException ignored) {
            // the lease then simply runs out
        }
    }
}
