package dev.kickoff.core.port;

import dev.kickoff.core.cases.Case;
import dev.kickoff.core.run.Run;

import java.util.List;
import java.util.Optional;

/**
 * Cases, and the writes that must change a case and its run together. A case and the run it starts are stored
 * in one transaction, and a failed run parks its case in {@code Error} in the same transaction that ends the
 * run, so there is never a case without its run, nor a failed run whose case still looks alive.
 */
public interface CaseStore {
    /**
     * Stores a new case and its pending run, both or neither (the run's {@link dev.kickoff.core.run.RunLifecycle.Event#CREATE
     * CREATE}: its message is already on the queue); {@link DuplicateIdException} if either ID is taken.
     */
    void create(Case kase, Run run);

    /** Strongly consistent read. */
    Optional<Case> find(long caseId);

    /** One page of a workflow's cases in one status, newest first. */
    Page list(long orgId, long workflowId, String status, String cursor, int limit);

    /**
     * Saves a case's new status and attributes on behalf of its run, if {@code leaseHolder} still holds the run's
     * lease, at most once per {@code writeKey}: a run resumed after a crash that repeats the write finds it
     * already done ({@link WriteResult#ALREADY_WRITTEN}) and changes nothing.
     */
    WriteResult write(Case updated, Run leaseHolder, String writeKey);

    /**
     * Saves the terminal state of a failed run (as {@link RunStore#finish}: only while {@code failed.leaseOwner()}
     * holds the lease) and moves its case to {@code Error}, in one transaction.
     */
    RunStore.WriteResult finishFailedRun(Run failed);

    /**
     * Cancels a case's run (as {@link RunStore#cancel}) and moves its case to {@code Error}, in one transaction.
     */
    RunStore.WriteResult cancelRun(Run run, dev.kickoff.core.run.RunError error, java.time.Instant at);

    enum WriteResult {
        WRITTEN,
        /** This write key was applied before: nothing changed. */
        ALREADY_WRITTEN,
        /** The run's lease is no longer held by the writer: nothing changed. */
        LEASE_LOST,
        CASE_MISSING
    }

    record Page(List<Case> items, String nextCursor) {
    }
}
