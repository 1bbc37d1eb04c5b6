package dev.kickoff.core.run;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.WriteResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a client may do to a run it started, besides reading it: each is one row of {@link RunLifecycle}, taken from
 * the API (the endpoints come with the HTTP edge: {@code POST …/runs/{run_id}/cancel}). Another organization's run,
 * or one of another workflow, is not found.
 */
public final class RunControls {
    private final RunStore runs;
    private final CaseStore cases;
    private final dev.kickoff.core.port.RunQueue queue;
    private final Clock clock;

    /**
     * @param cases for case runs, whose case moves with them (null: no case runs here)
     * @param queue where a retried run is queued
     */
    public RunControls(RunStore runs, CaseStore cases, dev.kickoff.core.port.RunQueue queue, Clock clock) {
        this.runs = runs;
        this.cases = cases;
        this.queue = queue;
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
        Run run = find(principal, workflowId, runId);
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
        Run run = find(principal, workflowId, runId);
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

    private Run find(Principal principal, long workflowId, long runId) {
        Run run = runId <= 0 || workflowId <= 0 ? null : runs.find(runId).orElse(null);
        if (run == null || run.orgId() != principal.orgId() || run.workflowId() != workflowId) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return run;
    }
}
