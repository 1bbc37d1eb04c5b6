package dev.kickoff.core.port;

import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunLifecycle;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.RunStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs, and the conditional writes that move them. Every write is one row of {@link RunLifecycle}: its condition
 * is the row's source status and guard, so the store refuses what the table does not allow, whoever asks and
 * however late. That is what makes execution safe under at-least-once delivery: a run is claimed by one worker at a
 * time (a lease), only the lease holder writes, and a duplicate message cannot move a run backwards.
 */
public interface RunStore {
    /**
     * {@link RunLifecycle.Event#CREATE CREATE}: stores a new pending run whose message is already on the queue
     * (queued first, a run can never be stored and not queued, so it is not listed among the active runs);
     * {@link DuplicateIdException} if the ID is taken.
     */
    void create(Run run);

    /** Strongly consistent read. */
    Optional<Run> find(long runId);

    /**
     * The run a message names, read as {@link #find} does. Runs are queued before they are stored, so a message can
     * arrive while the write that stores its run is still on its way: an adapter whose store can lag its queue reads
     * again, briefly, before it answers empty (the DynamoDB adapter: a few times over about 0.15 s).
     */
    Optional<Run> findQueued(long runId);

    /**
     * {@link RunLifecycle.Event#WATCH WATCH}: lists an unfinished run among the active runs from {@code at} on, if it
     * is not listed yet: done when its message comes back (a redelivery: a worker may have died on it) or is
     * dead-lettered, so that the sweeper finds it should the message be lost. False when there is no such unfinished,
     * unlisted run.
     */
    boolean watch(long runId, Instant at);

    /**
     * {@link RunLifecycle.Event#CLAIM CLAIM}: takes the run for {@code owner} until {@code leaseUntil}: succeeds when
     * it is pending and due (no wake time after {@code now}), or in progress under a lease that has ended by
     * {@code now} (its worker died). Increments
     * {@code attempts}; a listed run stays listed (until it ends), so the sweeper finds it should this worker die too.
     */
    ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil);

    /** {@link RunLifecycle.Event#CHECKPOINT CHECKPOINT}: saves the steps and the lease extension in {@code run}. */
    WriteResult checkpoint(Run run);

    /**
     * {@link RunLifecycle.Event#RELEASE RELEASE}: gives the lease up early (after a transient failure) so that the
     * next delivery can resume the run at once instead of waiting for the lease to run out.
     */
    WriteResult release(Run run);

    /**
     * {@link RunLifecycle.Event#YIELD YIELD}: saves the steps in {@code run} with a lease that ends now, at the
     * invocation's deadline; the caller then queues the run again.
     */
    WriteResult yieldLease(Run run);

    /**
     * {@link RunLifecycle.Event#SUSPEND SUSPEND}: the lease holder suspends the run until {@code run.wakeAt()} with the
     * steps in {@code run} (the last one {@code waiting}); the lease is given up. {@code wakeListed}: the run is listed
     * in the wake-up index, for a wait longer than a message can be held back.
     */
    WriteResult suspend(Run run, boolean wakeListed);

    /**
     * {@link RunLifecycle.Event#DEFER DEFER}: the lease holder puts the run back to pending until {@code run.wakeAt()}
     * with the steps in {@code run} (the last one {@code retrying}); the lease is given up.
     */
    WriteResult defer(Run run);

    /**
     * {@link RunLifecycle.Event#COMPLETE COMPLETE} or {@link RunLifecycle.Event#FAIL FAIL} (by {@code run.status()}):
     * saves the terminal state while {@code run.leaseOwner()} holds the lease; the lease is released and the run
     * leaves the active-runs listing. (A case run's failure goes through {@link CaseStore#finishFailedRun}.)
     */
    WriteResult finish(Run run);

    /**
     * {@link RunLifecycle.Event#COMPLETE_UNCLAIMED COMPLETE_UNCLAIMED} or
     * {@link RunLifecycle.Event#FAIL_UNCLAIMED FAIL_UNCLAIMED}: saves the terminal state of a run nobody claimed, if
     * it is still pending and unchanged since it was read ({@code updated_at} is {@code seenUpdatedAt}): the one write
     * of a run whose steps are all pure, executed from a read of it (a second execution elsewhere computes the same
     * result, and only one of the two writes can land).
     */
    WriteResult finishUnclaimed(Run run, Instant seenUpdatedAt);

    /**
     * {@link RunLifecycle.Event#CANCEL CANCEL}: ends an unfinished run (pending or in progress, whoever holds it) as
     * failed with {@code error}, at {@code at}; the lease and any listing go. Refused (with the run as it is now) when
     * the run is finished already. (A case run's cancel goes through {@link CaseStore#cancelRun}.)
     */
    WriteResult cancel(long runId, RunError error, Instant at);

    /**
     * {@link RunLifecycle.Event#RETRY RETRY}: a failed run goes back to pending with the steps in {@code run} (the
     * failed one dropped) and {@code run.retries()}, listed among the active runs from {@code run.updatedAt()}, if it is
     * still as it was read ({@code seenUpdatedAt}).
     */
    WriteResult retry(Run run, Instant seenUpdatedAt);

    /**
     * {@link RunLifecycle.Event#AWAIT AWAIT}: the lease holder suspends the run at a {@code wait_for_signal} step, with
     * the steps in {@code run} (the last one {@code waiting}), until the signal {@code run.signals().awaited()} comes,
     * or until {@code run.wakeAt()} (the step's timeout; null: none); the lease is given up and the run leaves the
     * active-runs listing (it waits for a client, not a worker). Refused unless the run still holds exactly
     * {@code seenSignals} kept signals: one that came since the worker read the run must be looked at first.
     * {@code wakeListed}: the run is listed in the wake-up index (a timeout further than a held-back message).
     */
    WriteResult awaitSignal(Run run, int seenSignals, boolean wakeListed);

    /**
     * {@link RunLifecycle.Event#SIGNAL SIGNAL}: keeps {@code signal} on a run suspended waiting for its name and puts
     * the run back to pending at {@code at}, listed among the active runs (its message is sent after this write) and
     * out of the wake-up index. {@code keyed}: the signal's ID is an idempotency key's, recorded so that a repeat is
     * refused. Refused, with the run as it is now, if the run is not waiting for it, keeps
     * {@link dev.kickoff.core.run.RunSignals#MAX_KEPT} signals already, or has taken a signal with this ID.
     */
    WriteResult signal(long runId, RunSignal signal, boolean keyed, Instant at);

    /**
     * {@link RunLifecycle.Event#KEEP_SIGNAL KEEP_SIGNAL}: keeps {@code signal} on an unfinished run that is not waiting
     * for it. Refused as {@link #signal} is, and also if the run is suspended waiting for this very signal (then
     * {@link #signal} is the write) or is finished.
     */
    WriteResult keepSignal(long runId, RunSignal signal, boolean keyed, Instant at);

    /**
     * {@link RunLifecycle.Event#RECEIVE RECEIVE}: the lease holder's {@code wait_for_signal} step took the kept signal
     * {@code signalId}, kept at {@code index} when the worker read the run (signals are only ever added after the
     * last one, and only the lease holder removes one, so it is still there): saves the steps and the lease extension
     * in {@code run}, as a checkpoint does, and removes the signal, in one write.
     */
    WriteResult receive(Run run, int index, String signalId);

    /**
     * A workflow's runs, newest first (by creation), one page: at most {@code limit}, of {@code status} only if given,
     * after {@code cursor} (a previous page's {@link RunPage#nextCursor()}; null: from the newest). A page may hold
     * fewer than {@code limit} runs while more follow (a status filter reads a bounded number of runs per page): the
     * next cursor is null only at the end. A cursor that is not one of this store's is {@code INVALID_REQUEST}.
     */
    RunPage list(long orgId, long workflowId, RunStatus status, int limit, String cursor);

    record RunPage(List<Run> runs, String nextCursor) {
        public RunPage {
            runs = List.copyOf(runs);
        }
    }

    /** The result of a write by a worker: it landed, or its condition refused it (and what the run is now). */
    sealed interface WriteResult {
        default boolean written() {
            return this instanceof Written;
        }

        record Written() implements WriteResult {
        }

        /** @param current the run as it is now (null: there is no such run) */
        record Refused(Run current) implements WriteResult {
        }
    }

    sealed interface ClaimResult {
        record Claimed(Run run) implements ClaimResult {
        }

        /** The run is already in a terminal state. */
        record Finished(Run run) implements ClaimResult {
        }

        /** Another worker holds a live lease. */
        record Busy(Run run) implements ClaimResult {
        }

        /** Pending or suspended, but not before {@code run.wakeAt()}. */
        record NotDue(Run run) implements ClaimResult {
        }

        /** Suspended runs wait for a signal, not a worker. */
        record NotRunnable(Run run) implements ClaimResult {
        }

        record Missing() implements ClaimResult {
        }
    }
}
