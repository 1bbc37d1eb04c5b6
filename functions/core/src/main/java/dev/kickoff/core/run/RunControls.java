package dev.kickoff.core.run;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.WriteResult;

import java.time.Clock;
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
    private final Clock clock;

    /** @param cases for case runs, whose case moves with them (null: no case runs here) */
    public RunControls(RunStore runs, CaseStore cases, Clock clock) {
        this.runs = runs;
        this.cases = cases;
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
