package dev.kickoff.core.port;

import dev.kickoff.core.run.Run;

import java.time.Instant;
import java.util.Optional;

/**
 * Runs, with the conditional writes that make execution safe under at-least-once delivery: a run is claimed
 * by one worker at a time (a lease), and only the lease holder may checkpoint or finish it.
 */
public interface RunStore {
    /**
     * Stores a new pending run that is not queued yet, listed among the active runs so that the sweeper finds it
     * if its creator dies before queueing it; {@link DuplicateIdException} if the ID is taken.
     */
    void create(Run run);

    /**
     * Stores a new pending run whose message is already on the queue: it cannot be stranded unqueued, so it is not
     * listed among the active runs (one write less for it and for its end); {@link DuplicateIdException} if the
     * ID is taken.
     */
    void createQueued(Run run);

    /**
     * Lists an unfinished run among the active runs from {@code at} on, if it is not listed yet: done when its
     * message comes back (a redelivery: a worker may have died on it), so that the sweeper can find it should the
     * message be dead-lettered. False when there is no such unfinished, unlisted run.
     */
    boolean watch(long runId, Instant at);

    /** Strongly consistent read. */
    Optional<Run> find(long runId);

    /**
     * Takes the run for {@code owner} until {@code leaseUntil}: succeeds when it is pending, or in progress under
     * a lease that expired before {@code now} (its worker died). Increments {@code attempts}.
     */
    ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil);

    /** Saves progress (steps, lease extension) if {@code run.leaseOwner()} still holds the lease. */
    boolean checkpoint(Run run);

    /**
     * Gives up the lease early (after a transient failure) so the next delivery can resume the run at once
     * instead of waiting for the lease to run out; false when the lease was no longer held.
     */
    boolean release(Run run);

    /** Saves the terminal state if {@code run.leaseOwner()} still holds the lease; the lease is released. */
    boolean finish(Run run);

    /**
     * Saves the terminal state of a run nobody claimed, if it is still {@code pending}: the one write of a run whose
     * steps are all pure, executed from a read of it (a second execution elsewhere would compute the same result,
     * and only one of the two writes can land). False when the run is no longer pending.
     */
    boolean finishPending(Run run);

    /**
     * Ends a run that never started (still {@code pending}) as failed, e.g. when it could not be queued or
     * delivery was given up; false when it is no longer pending.
     */
    boolean abandon(long runId, String error, Instant at);

    sealed interface ClaimResult {
        record Claimed(Run run) implements ClaimResult {
        }

        /** The run is already in a terminal state. */
        record Finished(Run run) implements ClaimResult {
        }

        /** Another worker holds a live lease. */
        record Busy(Run run) implements ClaimResult {
        }

        /** Suspended runs wait for a signal, not a worker. */
        record NotRunnable(Run run) implements ClaimResult {
        }

        record Missing() implements ClaimResult {
        }
    }
}
